import { SaxesParser } from 'saxes';
import { DecodeError } from '../errors';
import { formatBytes } from './formatBytes';
import { type DecodeLimits, type DecodedBatch } from './types';

export interface XmlDecodeOptions {
  /** Local name (namespace prefix ignored) of the element holding one record. */
  recordElement: string;
  /** Prefix for fields made from attributes. */
  attributePrefix: string;
}

/** An element being built inside a record; frames are reused by depth, not allocated per element. */
interface Frame {
  name: string;
  fields: Record<string, unknown> | undefined;
  text: string;
  /** Child names already turned into arrays (a repeated child). */
  arrays: Set<string> | undefined;
}

/**
 * Streams records out of an XML document of any size with saxes: each `recordElement` becomes
 * an object whose child elements are fields (repeated children become arrays, nested children
 * nested objects, text-only children strings) and whose attributes are fields too. Nothing
 * outside the record elements is kept. A DOCTYPE is refused, so no entity can expand.
 *
 * @example
 * decodeXml(text, { recordElement: 'row', attributePrefix: '' }, key, limits)
 */
export async function* decodeXml(text: AsyncIterable<string>, options: XmlDecodeOptions, where: string, limits: DecodeLimits): AsyncGenerator<DecodedBatch> {
  // Position tracking costs saxes a fifth of its time; lines are counted here per chunk instead.
  const parser = new SaxesParser({ position: false });
  const lines = new LineCounter(parser);
  let batch: DecodedBatch = [];
  const frames: Frame[] = [];
  let depth = 0;
  let recordChars = 0;
  let failure: DecodeError | undefined;
  const fail = (what: string, fix: string): never => {
    throw new DecodeError(`${where} (line ${lines.line()})`, what, fix);
  };
  parser.on('error', (error) => {
    failure ??= new DecodeError(`${where} (line ${lines.line()})`, `the XML is not well-formed (${error.message.replace(/^.*?:\d+:\d+: /, '')})`, 'Check the payload, or the format.type');
    throw failure;
  });
  parser.on('doctype', () => fail('the XML declares a DOCTYPE; DTDs are refused so that no entity can expand', 'Ask the API for XML without a DTD'));
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (depth === 0 && name !== options.recordElement) return;
    if (depth >= limits.maxDepth) fail(`a record is nested deeper than format.max_depth (${limits.maxDepth})`, 'Raise format.max_depth if such records are expected');
    let fields: Record<string, unknown> | undefined;
    for (const attribute in tag.attributes) {
      fields ??= {};
      const value = tag.attributes[attribute] as string;
      fields[options.attributePrefix + localName(attribute)] = value;
      recordChars += value.length;
    }
    const frame = frames[depth];
    if (frame) {
      frame.name = name;
      frame.fields = fields;
      frame.text = '';
      frame.arrays = undefined;
    } else frames.push({ name, fields, text: '', arrays: undefined });
    depth++;
  });
  const onText = (value: string) => {
    if (depth === 0) return;
    frames[depth - 1]!.text += value;
    recordChars += value.length;
    if (recordChars > limits.maxRecordBytes) {
      fail(`a record is larger than format.max_record_bytes (${formatBytes(limits.maxRecordBytes)})`, 'Raise format.max_record_bytes if such records are expected, or check format.record_element');
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (depth === 0) return;
    const frame = frames[--depth]!;
    const value = frame.fields ? withText(frame.fields, frame.text) : frame.text;
    // Reused frames must not keep the last record's values alive.
    frame.fields = undefined;
    frame.arrays = undefined;
    if (depth === 0) {
      // A record is always an object; a text-only record element keeps its text under #text.
      batch.push(typeof value === 'string' ? (value.trim() === '' ? {} : { '#text': value.trim() }) : value);
      recordChars = 0;
      return;
    }
    const parent = frames[depth - 1]!;
    const fields = (parent.fields ??= {});
    const existing = fields[frame.name];
    if (existing === undefined) fields[frame.name] = value;
    else if (parent.arrays?.has(frame.name)) (existing as unknown[]).push(value);
    else {
      fields[frame.name] = [existing, value];
      (parent.arrays ??= new Set()).add(frame.name);
    }
  });
  for await (const chunk of text) {
    lines.start(chunk);
    parser.write(chunk);
    lines.end();
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  parser.close();
  if (batch.length > 0) yield batch;
}

/** The line saxes is at, for messages, from newlines counted once per chunk. */
class LineCounter {
  private before = 0;
  private chunkStart = 0;
  private chunk = '';

  constructor(private readonly parser: SaxesParser) {}

  start(chunk: string): void {
    this.chunk = chunk;
  }

  end(): void {
    this.before += countNewlines(this.chunk, this.chunk.length);
    this.chunkStart += this.chunk.length;
    this.chunk = '';
  }

  /** 1-based line of the character the parser is reading. */
  line(): number {
    const inChunk = Math.max(0, Math.min(this.chunk.length, this.parser.position - this.chunkStart));
    return 1 + this.before + countNewlines(this.chunk, inChunk);
  }
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < end; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Mixed content: an element with children or attributes keeps its own text under `#text`. */
function withText(fields: Record<string, unknown>, text: string): Record<string, unknown> {
  if (text !== '' && text.trim() !== '') fields['#text'] = text.trim();
  return fields;
}
