import { parseRecordsPath as parseSharedRecordsPath } from '../../../shared/paths';
import { DecodeError, RecordsPathError } from '../errors';
import { DecodeFailure } from './DecodeFailure';
import { excerpt } from './excerpt';
import { formatBytes } from './formatBytes';
import { type DecodeLimits, type DecodedBatch } from './types';

/** One segment of a records path: an object key, an array index, or `*` (any element or member). */
type Segment = string | number | typeof ANY;
const ANY = Symbol('any');

/**
 * The segments of a records path (`$`, `$.data`, `$.report.rows`, `$.pages[*].items`,
 * `$[0].data`), parsed by the one path language of shared/paths, which the extractor reads pages
 * with too. A trailing `[*]` is dropped: the records are the elements of the array found there anyway.
 */
export function parseRecordsPath(path: string): Segment[] {
  return parseSharedRecordsPath(path).steps.map((step) => {
    if (step.kind === 'field') return step.name;
    if (step.kind === 'index') return step.index;
    return ANY;
  });
}

type Expect = 'key' | 'keyOrEnd' | 'colon' | 'value' | 'valueOrEnd' | 'commaOrEnd';

/** A container on the way to the records; `records` frames are the array holding them. */
interface Frame {
  array: boolean;
  records: boolean;
  expect: Expect;
  key: string | number;
}

/** Progress through one value being skipped or captured, kept across chunks. */
interface ValueScan {
  start: number;
  pos: number;
  depth: number;
  inString: boolean;
  escape: boolean;
  bare: boolean;
  capture: boolean;
  maxDepth: number;
}

const WS = new Uint8Array(128);
WS[32] = WS[9] = WS[10] = WS[13] = 1;

/** Characters a JSON value can start with: { [ " - 0-9 t f n. */
const VALUE_START = new Uint8Array(128);
for (const c of '{["-0123456789tfn') VALUE_START[c.charCodeAt(0)] = 1;

/** A whole literal: anything else where a value belongs is not JSON. */
const LITERAL = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;

/** How the records path is checked once the document has ended. */
export interface RecordsPathCheck {
  /** The path as configured, for messages. */
  recordsPath: string;
  /** What an absent or null records path means: an error, or no records. */
  missing: 'error' | 'empty';
}

/** Top-level field names kept to show in a "records path is missing" message. */
const SHOWN_KEYS = 8;

/**
 * Streams records out of one JSON document of any size: only the records path is navigated,
 * every other value is skipped without being parsed, and each record is parsed on its own once
 * its last character arrives. Memory is bounded by the largest record (`maxRecordBytes`).
 *
 * The value at the path is an array (each element is a record) or an object (one record). A
 * string, number or boolean there is a {@link RecordsPathError}; so is a path that is absent or
 * null, unless `missing` is `'empty'` (the stream's `expect_records: allow_missing`). Text that
 * is not JSON at all (an HTML page, NUL bytes) is a {@link DecodeError}.
 *
 * @example
 * for await (const batch of decodeJsonDocument(text, '$.data', key, limits)) …
 */
export async function* decodeJsonDocument(
  text: AsyncIterable<string>,
  recordsPath: string,
  where: string,
  limits: DecodeLimits,
  missing: 'error' | 'empty' = 'error',
): AsyncGenerator<DecodedBatch> {
  const scanner = new JsonRecordScanner(parseRecordsPath(recordsPath), where, limits, { recordsPath, missing });
  for await (const chunk of text) {
    const batch = scanner.feed(chunk);
    if (batch.length > 0) yield batch;
  }
  const last = scanner.finish();
  if (last.length > 0) yield last;
}

/** The resumable state machine behind {@link decodeJsonDocument}. */
export class JsonRecordScanner {
  private buffer = '';
  private pos = 0;
  /** Characters dropped from the front of `buffer` so far, for error positions. */
  private dropped = 0;
  private readonly stack: Frame[] = [];
  private value: ValueScan | undefined;
  private rootSeen = false;
  private rootDone = false;
  private recordNumber = 0;
  /** Arrays or objects found at the records path, and whether a null was. */
  private targets = 0;
  private nullTarget = false;
  private rootKind: string | undefined;
  private readonly topKeys: string[] = [];

  constructor(
    private readonly path: Segment[],
    private readonly where: string,
    private readonly limits: DecodeLimits,
    private readonly check: RecordsPathCheck = { recordsPath: '$', missing: 'empty' },
  ) {}

  feed(chunk: string): DecodedBatch {
    this.buffer += chunk;
    const batch: DecodedBatch = [];
    this.run(batch, false);
    this.compact();
    return batch;
  }

  finish(): DecodedBatch {
    const batch: DecodedBatch = [];
    this.run(batch, true);
    if (this.value) {
      if (this.value.bare) this.completeValue(this.buffer.length, batch);
      else throw this.error('the document ends inside a value', 'The payload is truncated; re-extract it');
    }
    if (!this.rootSeen)
      throw this.error('the document is empty', 'Check that the API returned JSON, or set format.type to match');
    if (this.stack.length > 0)
      throw this.error('the document ends before its closing brackets', 'The payload is truncated; re-extract it');
    if (this.targets === 0 && this.check.missing === 'error') throw this.missingRecords();
    return batch;
  }

  private missingRecords(): RecordsPathError {
    const { recordsPath } = this.check;
    const found = this.nullTarget
      ? `records path ${recordsPath} is null`
      : this.rootKind === 'an object'
        ? `records path ${recordsPath} is not in the document (its top-level fields: ${this.topKeys.join(', ') || 'none'}${this.topKeys.length === SHOWN_KEYS ? ', …' : ''})`
        : `records path ${recordsPath} is not in the document, which is ${this.rootKind ?? 'empty'}`;
    return new RecordsPathError(
      this.where,
      found,
      "Check that the API answered with data rather than an error, fix the stream's records path, or set expect_records: allow_missing if the API leaves the list out when it is empty",
    );
  }

  private run(batch: DecodedBatch, atEnd: boolean): void {
    const buffer = this.buffer;
    for (;;) {
      if (this.value) {
        if (!this.advance(this.value)) return;
        this.completeValue(this.value.pos, batch);
        continue;
      }
      let pos = this.pos;
      while (pos < buffer.length && WS[buffer.charCodeAt(pos)] === 1) pos++;
      this.pos = pos;
      if (pos >= buffer.length) return;
      if (!this.step(buffer.charCodeAt(pos), atEnd)) return;
    }
  }

  /** Consumes one structural token at `pos`; false when more input is needed. */
  private step(c: number, atEnd: boolean): boolean {
    const frame = this.stack[this.stack.length - 1];
    if (!frame) {
      if (this.rootDone)
        throw this.error(
          'unexpected text after the end of the JSON document',
          'Check the payload; use format.type: jsonl for one document per line',
        );
      this.rootSeen = true;
      this.startValue(c);
      return true;
    }
    switch (frame.expect) {
      case 'keyOrEnd':
      case 'key': {
        if (c === 125 && frame.expect === 'keyOrEnd') return this.closeFrame();
        if (c !== 34) throw this.unexpected('a field name');
        const end = stringEnd(this.buffer, this.pos + 1);
        if (end === -1) {
          if (atEnd)
            throw this.error('the document ends inside a field name', 'The payload is truncated; re-extract it');
          if (this.buffer.length - this.pos > this.limits.maxRecordBytes)
            throw this.error('a field name is longer than format.max_record_bytes', 'Check the payload');
          return false;
        }
        const raw = this.buffer.slice(this.pos, end);
        frame.key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (this.stack.length === 1 && this.topKeys.length < SHOWN_KEYS) this.topKeys.push(frame.key);
        frame.expect = 'colon';
        this.pos = end;
        return true;
      }
      case 'colon':
        if (c !== 58) throw this.unexpected('":"');
        frame.expect = 'value';
        this.pos++;
        return true;
      case 'valueOrEnd':
        if (c === 93) return this.closeFrame();
        this.startValue(c);
        return true;
      case 'value':
        this.startValue(c);
        return true;
      case 'commaOrEnd':
        if (c === 44) {
          if (frame.array) {
            frame.key = (frame.key as number) + 1;
            frame.expect = 'value';
          } else frame.expect = 'key';
          this.pos++;
          return true;
        }
        if ((c === 93 && frame.array) || (c === 125 && !frame.array)) return this.closeFrame();
        throw this.unexpected(frame.array ? '"," or "]"' : '"," or "}"');
    }
  }

  private startValue(c: number): void {
    if (VALUE_START[c] !== 1) throw this.unexpected('a JSON value');
    const parent = this.stack[this.stack.length - 1];
    const depth = this.stack.length;
    if (depth === 0) this.rootKind = kindOf(c);
    let role: 'record' | 'skip' | 'navigate' | 'target' = 'skip';
    if (parent?.records) role = 'record';
    else if (depth === 0 || matches(this.path[depth - 1], parent!.key))
      role = depth === this.path.length ? 'target' : 'navigate';
    if (role === 'target') {
      if (c === 91 || c === 123) this.targets++;
      else if (c === 110) this.nullTarget = true;
      else
        throw new RecordsPathError(
          `${this.where} (character ${this.dropped + this.pos})`,
          `records path ${this.check.recordsPath} holds ${kindOf(c)}, not a list or an object of records`,
          "Check that the API answered with data rather than an error, or fix the stream's records path",
        );
      if (c === 91) return this.openFrame(true, true);
      role = c === 123 ? 'record' : 'skip';
    }
    if (role === 'navigate' && (c === 123 || c === 91)) return this.openFrame(c === 91, false);
    const capture = role === 'record';
    const scan: ValueScan = {
      start: this.pos,
      pos: this.pos,
      depth: 0,
      inString: false,
      escape: false,
      bare: false,
      capture,
      maxDepth: capture ? this.limits.maxDepth : Infinity,
    };
    if (c === 34) {
      scan.inString = true;
      scan.pos++;
    } else if (c !== 123 && c !== 91) scan.bare = true;
    this.value = scan;
  }

  private openFrame(array: boolean, records: boolean): void {
    if (this.stack.length >= this.path.length + 1)
      throw this.error('records path nesting is inconsistent', 'Report this as a bug');
    this.stack.push({ array, records, expect: array ? 'valueOrEnd' : 'keyOrEnd', key: array ? 0 : '' });
    this.pos++;
  }

  private closeFrame(): boolean {
    this.stack.pop();
    this.pos++;
    this.afterValue();
    return true;
  }

  private afterValue(): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.expect = 'commaOrEnd';
    else this.rootDone = true;
  }

  private completeValue(end: number, batch: DecodedBatch): void {
    const scan = this.value!;
    if (scan.bare && !scan.capture && !LITERAL.test(this.buffer.slice(scan.start, end))) {
      this.pos = scan.start;
      throw this.unexpected('a JSON value');
    }
    this.value = undefined;
    this.pos = end;
    if (scan.capture) {
      this.recordNumber++;
      const text = this.buffer.slice(scan.start, end);
      try {
        batch.push(JSON.parse(text));
      } catch (error) {
        batch.push(
          new DecodeFailure(
            `record ${this.recordNumber} (character ${this.dropped + scan.start}): not valid JSON (${(error as Error).message})`,
            excerpt(text),
          ),
        );
      }
    }
    this.afterValue();
  }

  /** Scans the current value forward; true once its last character is in the buffer. */
  private advance(scan: ValueScan): boolean {
    const buffer = this.buffer;
    const n = buffer.length;
    let i = scan.pos;
    if (scan.bare) {
      while (i < n) {
        const c = buffer.charCodeAt(i);
        if (c === 44 || c === 93 || c === 125 || WS[c] === 1) {
          scan.pos = i;
          return true;
        }
        i++;
      }
      scan.pos = i;
      return this.checkSize(scan);
    }
    let { depth, inString, escape } = scan;
    while (i < n) {
      if (inString) {
        // Jump from quote to quote: the string's content needs no look, only the escapes
        // right before each quote (an odd run of backslashes escapes it).
        const end = closingQuote(buffer, i, escape);
        escape = false;
        if (end < 0) {
          escape = end === ESCAPED_AT_END;
          i = n;
          break;
        }
        i = end;
        inString = false;
        if (depth === 0) {
          scan.pos = i;
          return true;
        }
        continue;
      }
      const c = buffer.charCodeAt(i++);
      if (c === 34) inString = true;
      else if (c === 123 || c === 91) {
        if (++depth > scan.maxDepth) {
          this.pos = i;
          throw this.error(
            `record ${this.recordNumber + 1} is nested deeper than format.max_depth (${scan.maxDepth})`,
            'Raise format.max_depth if such records are expected',
          );
        }
      } else if (c === 125 || c === 93) {
        if (--depth === 0) {
          scan.pos = i;
          return true;
        }
      }
    }
    scan.pos = i;
    scan.depth = depth;
    scan.inString = inString;
    scan.escape = escape;
    return this.checkSize(scan);
  }

  private checkSize(scan: ValueScan): false {
    // A literal is kept whole to be checked, so an endless one must not grow the buffer.
    if (scan.bare && !scan.capture && scan.pos - scan.start > this.limits.maxRecordBytes) {
      this.pos = scan.start;
      throw this.unexpected('a JSON value');
    }
    if (scan.capture && scan.pos - scan.start > this.limits.maxRecordBytes) {
      throw this.error(
        `record ${this.recordNumber + 1} is larger than format.max_record_bytes (${formatBytes(this.limits.maxRecordBytes)})`,
        'Raise format.max_record_bytes if such records are expected, or check the records path',
      );
    }
    return false;
  }

  /** Drops what is no longer needed, so memory holds at most the record in progress. */
  private compact(): void {
    let keep = this.pos;
    if (this.value) {
      keep = this.value.capture || this.value.bare ? this.value.start : this.value.pos;
      this.value.start -= keep;
      this.value.pos -= keep;
    }
    if (keep === 0) return;
    this.buffer = this.buffer.slice(keep);
    this.pos -= keep;
    this.dropped += keep;
  }

  private unexpected(expected: string): DecodeError {
    const found = this.buffer.slice(this.pos, this.pos + 20);
    return this.error(
      `expected ${expected} but found ${JSON.stringify(found)}`,
      'The payload is not valid JSON; check the API response or the format.type',
    );
  }

  private error(what: string, fix: string): DecodeError {
    return new DecodeError(`${this.where} (character ${this.dropped + this.pos})`, what, fix);
  }
}

/** {@link closingQuote} results when the string does not end in the buffer. */
const OPEN_AT_END = -1;
const ESCAPED_AT_END = -2;

/**
 * Index just past the quote closing a string whose content resumes at `from`, or
 * OPEN_AT_END / ESCAPED_AT_END (the buffer ends in an unpaired backslash) when it needs more
 * input. `escaped` says the character at `from` is escaped by a backslash of the previous chunk.
 */
function closingQuote(buffer: string, from: number, escaped: boolean): number {
  let i = from;
  for (;;) {
    const quote = buffer.indexOf('"', i);
    const end = quote === -1 ? buffer.length : quote;
    let k = end;
    while (k > i && buffer.charCodeAt(k - 1) === 92) k--;
    let run = end - k;
    if (k === from && escaped) run++;
    if (quote === -1) return run % 2 === 1 ? ESCAPED_AT_END : OPEN_AT_END;
    if (run % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

function kindOf(c: number): string {
  if (c === 123) return 'an object';
  if (c === 91) return 'a list';
  if (c === 34) return 'a string';
  return 'a number, boolean or null';
}

/** A member name of digits also names that element of a list (`$.data.0`), as in shared/paths. */
function matches(segment: Segment | undefined, key: string | number): boolean {
  if (segment === ANY) return true; // every element of an array, every member of an object
  return segment === key || (typeof key === 'number' && typeof segment === 'string' && segment === String(key));
}

/** Index just past the closing quote of the string opening at `from - 1`, or -1 if incomplete. */
function stringEnd(buffer: string, from: number): number {
  for (let i = from; i < buffer.length; i++) {
    const c = buffer.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) return i + 1;
  }
  return -1;
}
