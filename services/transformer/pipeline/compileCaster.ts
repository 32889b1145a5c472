import type { ParsedColumnType } from '../../../shared/config/columnType';
import { NULL_CELL, textCell } from './csvCell';
import { csvJsonCell } from './csvJsonCell';
import { decimalText } from './decimalText';
import { isJsonText } from './isJsonText';
import { Rejection } from './Rejection';
import {
  clockDateText,
  clockTimestampText,
  dateText,
  datePartsText,
  fromEpochValue,
  timestampText,
  type WallClock,
} from './temporalText';
import type { TemporalFormat } from '../../../shared/config/temporalFormat';
import { compileTemporalParser } from './compileTemporalParser';
import { numberText, type NumberFormat } from './numberText';

/** Turns one field value into its clean CSV cell, or says why it cannot. */
export type Caster = (value: unknown) => string | Rejection;

export interface CastOptions {
  /** What to do with text longer than varchar(n) bytes. */
  varcharOverflow: 'reject' | 'truncate';
  /** IANA zone of timestamps without an offset. */
  timezone: string;
  /** How the platform writes this column's values, when not as DIF reads them by default. */
  format?: ValueFormat;
}

/** A column's `format`, `thousands` and `decimal`, read from its configuration once. */
export interface ValueFormat {
  /** Dates and timestamps: a pattern, an epoch unit, or iso. */
  temporal?: TemporalFormat;
  /** Numbers written with separators or as percentages. */
  number?: NumberFormat;
}

const INT_RANGES = {
  smallint: [-32768n, 32767n],
  int: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
} as const;

const TRUE_WORDS = new Set(['true', 't', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', 'f', '0', 'no', 'n']);

/**
 * Builds the caster of one declared type. Every caster maps null/undefined to NULL and, except
 * for text, an empty string too (CSV sources cannot tell empty from missing).
 *
 * @example
 * compileCaster({ kind: 'decimal', precision: 18, scale: 2 }, options)('12.345') // '12.35'
 */
export function compileCaster(type: ParsedColumnType, options: CastOptions): Caster {
  const { temporal, number } = options.format ?? {};
  if (number) return formattedNumberCaster(type, number, options);
  if (
    temporal &&
    temporal.kind !== 'iso' &&
    (type.kind === 'date' || type.kind === 'timestamp' || type.kind === 'timestamptz')
  )
    return nonEmpty(temporalCaster(temporal, type.kind, options.timezone));
  switch (type.kind) {
    case 'varchar':
      return varcharCaster(type.length, options.varcharOverflow);
    case 'smallint':
    case 'int':
    case 'bigint':
      return intCaster(type.kind);
    case 'decimal':
      return nonEmpty((value) =>
        typeof value === 'number'
          ? finite(value, (n) => decimalText(String(n), type.precision, type.scale))
          : typeof value === 'string'
            ? decimalText(value, type.precision, type.scale)
            : wrongType(value, 'a decimal number'),
      );
    case 'double':
    case 'real':
      return nonEmpty(floatCast);
    case 'boolean':
      return nonEmpty(booleanCast);
    case 'date':
      return nonEmpty((value) =>
        typeof value === 'string'
          ? dateText(value)
          : isDateParts(value)
            ? datePartsText(value)
            : wrongType(value, 'a date'),
      );
    case 'timestamp':
    case 'timestamptz': {
      const withZone = type.kind === 'timestamptz';
      return nonEmpty((value) =>
        typeof value === 'string' || typeof value === 'number'
          ? timestampText(value, options.timezone, withZone)
          : wrongType(value, 'a timestamp'),
      );
    }
    case 'super':
      return superCast;
  }
}

/**
 * Numbers as a platform writes them (`1,234.5`, `12.5%`): the text is made plain first, then
 * cast as any number is. Numbers that arrive as JSON numbers only take the percentage.
 */
function formattedNumberCaster(type: ParsedColumnType, format: NumberFormat, options: CastOptions): Caster {
  const plain = compileCaster(type, { ...options, format: undefined });
  return nonEmpty((value) => {
    if (typeof value === 'string') {
      const text = numberText(value, format);
      return typeof text === 'string' ? plain(text) : text;
    }
    if (typeof value === 'number' && format.percent)
      return Number.isFinite(value)
        ? plain(hundredth(String(value)))
        : new Rejection(`${value} is not a finite number`);
    return plain(value);
  });
}

/** `12.5` → `12.5e-2`, `1e-7` → `1e-9`: a hundredth as decimal text, with no float arithmetic. */
function hundredth(text: string): string {
  const e = text.search(/[eE]/);
  return e === -1 ? `${text}e-2` : `${text.slice(0, e)}e${Number(text.slice(e + 1)) - 2}`;
}

/** Dates and timestamps written in a pattern (`M/d/yyyy`) or as epoch seconds or milliseconds. */
function temporalCaster(
  format: Exclude<TemporalFormat, { kind: 'iso' }>,
  kind: 'date' | 'timestamp' | 'timestamptz',
  zone: string,
): Caster {
  const withZone = kind === 'timestamptz';
  const toText =
    kind === 'date'
      ? (clock: WallClock, value: string | number) => clockDateText(clock, zone, value)
      : (clock: WallClock, value: string | number) => clockTimestampText(clock, zone, withZone, value);
  if (format.kind === 'epoch') {
    const unit = format.unit;
    return (value) => {
      const epoch = typeof value === 'number' ? value : typeof value === 'string' ? epochNumber(value) : undefined;
      const clock = epoch === undefined ? undefined : fromEpochValue(epoch, unit);
      if (!clock)
        return typeof value === 'string' || typeof value === 'number'
          ? new Rejection(`${JSON.stringify(String(value).slice(0, 60))} is not an epoch in ${unit}`)
          : wrongType(value, `an epoch in ${unit}`);
      return toText(clock, value as string | number);
    };
  }
  const parse = compileTemporalParser(format.tokens);
  const what = kind === 'date' ? 'a date' : 'a timestamp';
  return (value) => {
    if (typeof value !== 'string') return wrongType(value, `${what} written ${format.pattern}`);
    const clock = parse(value);
    if (!clock) return new Rejection(`${JSON.stringify(value.slice(0, 60))} is not ${what} written ${format.pattern}`);
    return toText(clock, value);
  };
}

/** An epoch written as text: digits, with a sign or a fraction. */
function epochNumber(text: string): number | undefined {
  const trimmed = text.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

function nonEmpty(cast: Caster): Caster {
  return (value) => (value === null || value === undefined || value === '' ? NULL_CELL : cast(value));
}

function varcharCaster(length: number, overflow: 'reject' | 'truncate'): Caster {
  return (value) => {
    if (value === null || value === undefined) return NULL_CELL;
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
    else {
      const json = jsonText(value);
      if (json instanceof Rejection) return json;
      text = json;
    }
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so short text needs no count.
    if (text.length * 3 > length && Buffer.byteLength(text) > length) {
      if (overflow === 'reject')
        return new Rejection(
          `text of ${Buffer.byteLength(text)} bytes is longer than varchar(${length}) (transform.varchar_overflow: truncate would cut it)`,
        );
      text = truncateUtf8(text, length);
    }
    return textCell(text);
  };
}

/** The longest prefix of `text` within `bytes` UTF-8 bytes that ends on a character boundary. */
export function truncateUtf8(text: string, bytes: number): string {
  const encoded = Buffer.from(text).subarray(0, bytes);
  let end = encoded.length;
  // Step back over a cut multi-byte sequence (continuation bytes are 10xxxxxx).
  let back = end - 1;
  while (back >= 0 && (encoded[back]! & 0xc0) === 0x80) back--;
  if (back >= 0) {
    const lead = encoded[back]!;
    const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (end - back < needed) end = back;
  }
  return encoded.subarray(0, end).toString('utf8');
}

function intCaster(kind: 'smallint' | 'int' | 'bigint'): Caster {
  const [min, max] = INT_RANGES[kind];
  const minNumber = Number(min);
  const maxNumber = Number(max);
  const maxDigits = String(max).length;
  return nonEmpty((value) => {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) return new Rejection(`${value} is not a whole number (${kind})`);
      if (kind === 'bigint' && !Number.isSafeInteger(value))
        return new Rejection(
          `${value} is beyond 2^53 as a JSON number, so its exact value was lost in transit; the API must send it as a string`,
        );
      if (value < minNumber || value > maxNumber) return new Rejection(`${value} is out of range for ${kind}`);
      return String(value);
    }
    if (typeof value === 'string') return intText(value, kind, min, max, maxDigits);
    if (typeof value === 'boolean') return value ? '1' : '0';
    return wrongType(value, `a whole number (${kind})`);
  });
}

function intText(raw: string, kind: string, min: bigint, max: bigint, maxDigits: number): string | Rejection {
  if (isPlainInt(raw, maxDigits)) return raw;
  const text = raw.trim();
  let i = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? 1 : 0;
  const start = i;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
  }
  // Accept "12.0" and "12.00": integral values that some APIs write with a fraction.
  let end = i;
  if (i < text.length && text.charCodeAt(i) === 46) {
    for (i++; i < text.length && text.charCodeAt(i) === 48; i++);
  }
  if (end === start || i !== text.length)
    return new Rejection(`${JSON.stringify(raw.slice(0, 60))} is not a whole number (${kind})`);
  let digits = text.slice(start, end);
  let lead = 0;
  while (lead < digits.length - 1 && digits.charCodeAt(lead) === 48) lead++;
  digits = digits.slice(lead);
  end = digits.length;
  const negative = text.charCodeAt(0) === 45 && digits !== '0';
  const normal = negative ? `-${digits}` : digits;
  // Fewer digits than the type's bound cannot overflow; only a borderline length needs BigInt.
  if (end >= maxDigits) {
    const big = BigInt(normal);
    if (big < min || big > max) return new Rejection(`${normal} is out of range for ${kind}`);
  }
  return normal;
}

/** `-?[1-9]d*` or `0`, shorter than the type's bound: already the clean text, no checks needed. */
function isPlainInt(text: string, maxDigits: number): boolean {
  const start = text.charCodeAt(0) === 45 ? 1 : 0;
  const digits = text.length - start;
  if (digits === 0 || digits >= maxDigits) return false;
  const first = text.charCodeAt(start);
  if (first === 48) return digits === 1 && start === 0;
  if (first < 49 || first > 57) return false;
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function floatCast(value: unknown): string | Rejection {
  if (typeof value === 'number') return finite(value, String);
  if (typeof value === 'string') {
    const number = Number(value);
    if (value.trim() === '' || Number.isNaN(number))
      return new Rejection(`${JSON.stringify(value.slice(0, 60))} is not a number`);
    return finite(number, String);
  }
  return wrongType(value, 'a number');
}

function booleanCast(value: unknown): string | Rejection {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === 1 || value === 0) return value === 1 ? 'true' : 'false';
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return 'true';
    if (FALSE_WORDS.has(word)) return 'false';
    return new Rejection(`${JSON.stringify(value.slice(0, 60))} is not a boolean (true/false, t/f, 1/0, yes/no)`);
  }
  return wrongType(value, 'a boolean');
}

/** JSON text of the value; a string that already holds a JSON object or array is kept as it is. */
function superCast(value: unknown): string | Rejection {
  if (value === null || value === undefined) return NULL_CELL;
  if (typeof value === 'string') {
    // JSON text is kept as written; anything else (not JSON after all) is stored as a JSON string.
    if (startsJsonContainer(value) && isJsonText(value)) return jsonCell(value);
    return jsonCell(JSON.stringify(value));
  }
  if (typeof value === 'object') {
    const cell = csvJsonCell(value);
    if (cell !== undefined) return cell;
  }
  const json = jsonText(value);
  return json instanceof Rejection ? json : jsonCell(json);
}

/** True when the first character after JSON whitespace opens an object or an array. */
function startsJsonContainer(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) return true;
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return false;
}

/**
 * A cell for valid JSON text. JSON allows no raw control character inside its strings (so no
 * NUL), only CR/LF/tab/space between tokens: a few `includes` decide the quoting, cheaper than a
 * character loop on these long values.
 */
function jsonCell(json: string): string {
  if (json.includes('"')) return `"${json.replaceAll('"', '""')}"`;
  return json.includes(',') || json.includes('\n') || json.includes('\r') ? `"${json}"` : json;
}

function jsonText(value: unknown): string | Rejection {
  try {
    return JSON.stringify(value);
  } catch (error) {
    return new Rejection(
      `the value cannot be written as JSON (${(error as Error).message}); it may be nested too deeply`,
    );
  }
}

function finite(value: number, cast: (n: number) => string | Rejection): string | Rejection {
  return Number.isFinite(value) ? cast(value) : new Rejection(`${value} is not a finite number`);
}

/** `{ year, month, day }`: a date as a record of its parts. */
function isDateParts(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'year' in value &&
    'month' in value &&
    'day' in value
  );
}

function wrongType(value: unknown, expected: string): Rejection {
  const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return new Rejection(`found ${kind} where ${expected} was expected`);
}
