/**
 * The regular-expression source that matches one secret value however it was written back: as
 * is or in another letter case, percent-encoded (either hex case, `+` for a space), JSON-escaped
 * (`\/`, `\"`, `\u003c`), as HTML entities (`&amp;`, `&#x2F;`, `&#47;`), base64 or base64url
 * (also inside a longer encoded value, at any byte offset) and hex. Each character may use a
 * different escape, as encoders mix them. Meant to be compiled with the `i` flag, which also
 * covers upper-case hex and percent escapes.
 *
 * @example
 * new RegExp(secretPatternSource('a/b=c'), 'i').test('a%2fb%3Dc'); // true
 */
export function secretPatternSource(value: string): string {
  return [escapedForms(value), ...byteForms(value).map(escapeRegExp)].join('|');
}

/**
 * Literal texts at least one of which every form matched by {@link secretPatternSource} contains
 * (compared case-insensitively): the longest run of letters and digits of the value — every
 * escape keeps those as they are — and each byte form. A cheap first look for them lets most
 * lines skip the full pattern.
 *
 * @example
 * secretAnchors('ab/cdef=gh'); // ['cdef', '61622f6364656…', 'YWIvY2RlZj1naA', …]
 */
export function secretAnchors(value: string): string[] {
  const runs = value.match(/[A-Za-z0-9]+/g) ?? [];
  const longest = runs.reduce((best, run) => (run.length > best.length ? run : best), '');
  // A value with no run of 4 letters or digits is matched by its whole pattern, which then serves as the anchor.
  return longest.length >= 4 ? [longest, ...byteForms(value)] : [];
}

/** Base64 forms shorter than this are not used: so short a run of letters could be anything. */
const MIN_FORM_LENGTH = 6;

const NAMED_ENTITIES: Record<string, string[]> = {
  '&': ['amp'],
  '<': ['lt'],
  '>': ['gt'],
  '"': ['quot'],
  "'": ['apos'],
  '/': ['sol'],
  '=': ['equals'],
  '+': ['plus'],
  ':': ['colon'],
  ' ': ['nbsp'],
};

const JSON_SHORT: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\n': '\\n', '\t': '\\t' };

/** The value character by character; every character other than a letter or digit in any of its escapes. */
function escapedForms(value: string): string {
  let source = '';
  for (const char of value) {
    if (/^[A-Za-z0-9]$/.test(char)) {
      source += char;
      continue;
    }
    const code = char.codePointAt(0)!;
    const alternatives = new Set<string>([escapeRegExp(char)]);
    alternatives.add([...Buffer.from(char)].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join(''));
    if (char === ' ') alternatives.add('\\+');
    if (JSON_SHORT[char]) alternatives.add(escapeRegExp(JSON_SHORT[char]));
    const units = [...Array(char.length).keys()].map((i) => char.charCodeAt(i));
    alternatives.add(units.map((unit) => `\\\\u${unit.toString(16).padStart(4, '0')}`).join(''));
    alternatives.add(`&#0*${code};`);
    alternatives.add(`&#x0*${code.toString(16)};`);
    for (const name of NAMED_ENTITIES[char] ?? []) alternatives.add(`&${name};`);
    source += `(?:${[...alternatives].join('|')})`;
  }
  return source;
}

/**
 * Hex, and base64/base64url of the bytes: whole, and as they appear inside the encoding of a
 * longer value (`user:secret` in a Basic header) — for each of the three byte offsets, only the
 * characters that depend on the secret's bytes alone.
 */
function byteForms(value: string): string[] {
  const bytes = Buffer.from(value);
  const forms = new Set<string>([bytes.toString('hex'), bytes.toString('base64').replace(/=+$/, '')]);
  for (let offset = 0; offset < 3; offset++) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const total = offset + bytes.length;
    // Characters before `skip` mix in the bytes before the secret; after `keep`, the bytes after it.
    const skip = [0, 2, 3][offset]!;
    const keep = Math.floor(total / 3) * 4 + [0, 1, 2][total % 3]!;
    const inner = shifted.slice(skip, keep);
    if (inner.length >= MIN_FORM_LENGTH) forms.add(inner);
  }
  for (const form of [...forms]) forms.add(form.replace(/\+/g, '-').replace(/\//g, '_'));
  return [...forms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
