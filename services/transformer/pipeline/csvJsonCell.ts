/** Deeper values take the JSON.stringify path, which reports nesting it cannot write. */
const MAX_DEPTH = 64;

/**
 * Field names written before, in their doubled form: the same few names come back in every
 * record, and checking and quoting each again was a fifth of this cell's cost. Bounded, so odd
 * data (generated names) cannot grow it without end.
 */
const NAMES = new Map<string, string>();
const MAX_NAMES = 4096;
const MAX_NAME_LENGTH = 128;

/**
 * Set while emitting when the text will hold a quote or a comma (any string or field name, an
 * array of more than one element): known as it is built, instead of searched for afterwards.
 */
let quoteNeeded = false;

/**
 * The CSV cell of a decoded object or array as JSON text — exactly `JSON.stringify(value)`,
 * quoted and with its quotes doubled as RFC 4180 wants — written in one pass. Building the
 * doubled form directly took half the time of stringify followed by `replaceAll('"', '""')`
 * on the super column of XML records. Returns undefined for anything but plain JSON data
 * (toJSON, class instances, non-finite numbers, very deep nesting): the caller then uses
 * JSON.stringify, which knows those rules.
 *
 * @example
 * csvJsonCell({ a: ['x', 1] }) // '"{""a"":[""x"",1]}"'
 */
export function csvJsonCell(value: object): string | undefined {
  quoteNeeded = false;
  const doubled = emit(value, 0);
  if (doubled === undefined) return undefined;
  // Without any string inside, the text has no quote to double; JSON has no raw CR/LF outside
  // strings, and a comma outside strings only between elements or fields (a field name is a string).
  return quoteNeeded ? `"${doubled}"` : doubled;
}

function emit(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      quoteNeeded = true;
      return isPlain(value) ? `""${value}""` : JSON.stringify(value).replaceAll('"', '""');
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH) return undefined;
      return Array.isArray(value) ? emitArray(value, depth + 1) : emitObject(value, depth + 1);
    default:
      return undefined;
  }
}

function emitArray(values: unknown[], depth: number): string | undefined {
  if (values.length > 1) quoteNeeded = true;
  let text = '[';
  for (let i = 0; i < values.length; i++) {
    const item = emit(values[i], depth);
    if (item === undefined) return undefined;
    text += i === 0 ? item : `,${item}`;
  }
  return `${text}]`;
}

function emitObject(value: object, depth: number): string | undefined {
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  let text = '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    // JSON.stringify leaves such fields out; rather than mirror every rule, hand them back.
    if (field === undefined || typeof field === 'function' || typeof field === 'symbol') return undefined;
    const item = emit(field, depth);
    if (item === undefined) return undefined;
    const name = nameOf(key);
    quoteNeeded = true;
    text += first ? `${name}:${item}` : `,${name}:${item}`;
    first = false;
  }
  return `${text}}`;
}

function nameOf(key: string): string {
  let name = NAMES.get(key);
  if (name === undefined) {
    name = isPlain(key) ? `""${key}""` : JSON.stringify(key).replaceAll('"', '""');
    if (NAMES.size < MAX_NAMES && key.length <= MAX_NAME_LENGTH) NAMES.set(key, name);
  }
  return name;
}

/** True when JSON writes the string as `"…"` with nothing escaped (no quote, backslash, control character or surrogate). */
function isPlain(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}
