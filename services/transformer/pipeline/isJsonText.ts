/** Kinds of open container on the validator's stack. */
const OBJECT = 1;
const ARRAY = 2;

/**
 * True when `text` is exactly one JSON value, optionally surrounded by JSON whitespace — the
 * texts `JSON.parse` accepts — decided by one scan that builds nothing. The super caster checks
 * every JSON-looking cell of CSV and XML input; parsing each into objects only to drop them cost
 * more than the rest of the row.
 *
 * @example
 * isJsonText('[{"a":1}]') // true
 * isJsonText("{'a':1}") // false
 */
export function isJsonText(text: string): boolean {
  const n = text.length;
  const stack: number[] = [];
  let i = skipSpace(text, 0);
  for (;;) {
    // A value starts at i.
    if (i >= n) return false;
    const c = text.charCodeAt(i);
    if (c === 123) {
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 125) i++;
      else {
        stack.push(OBJECT);
        i = afterKey(text, i);
        if (i < 0) return false;
        continue;
      }
    } else if (c === 91) {
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === 93) i++;
      else {
        stack.push(ARRAY);
        continue;
      }
    } else if (c === 34) i = stringEnd(text, i + 1);
    else if (c === 45 || (c >= 48 && c <= 57)) i = numberEnd(text, i);
    else if (c === 116) i = text.startsWith('true', i) ? i + 4 : -1;
    else if (c === 102) i = text.startsWith('false', i) ? i + 5 : -1;
    else if (c === 110) i = text.startsWith('null', i) ? i + 4 : -1;
    else return false;
    if (i < 0) return false;
    // A value ended: close containers until a comma asks for the next value.
    for (;;) {
      i = skipSpace(text, i);
      if (stack.length === 0) return i === n;
      const close = text.charCodeAt(i);
      const top = stack[stack.length - 1];
      if (close === 44) {
        i = skipSpace(text, i + 1);
        if (top === OBJECT) {
          i = afterKey(text, i);
          if (i < 0) return false;
        }
        break;
      }
      if ((close === 125 && top === OBJECT) || (close === 93 && top === ARRAY)) {
        stack.pop();
        i++;
        continue;
      }
      return false;
    }
  }
}

/** JSON whitespace only (space, tab, LF, CR), as JSON.parse reads it. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
}

/** Index of the value after `"key" :` starting at `i`, or -1. */
function afterKey(text: string, i: number): number {
  if (text.charCodeAt(i) !== 34) return -1;
  i = stringEnd(text, i + 1);
  if (i < 0) return -1;
  i = skipSpace(text, i);
  if (text.charCodeAt(i) !== 58) return -1;
  return skipSpace(text, i + 1);
}

/** Index just past the closing quote of a string whose content starts at `i`, or -1. */
function stringEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i++);
    if (c === 34) return i;
    if (c < 32) return -1;
    if (c === 92) {
      const e = text.charCodeAt(i++);
      if (e === 117) {
        for (let k = 0; k < 4; k++) if (!isHex(text.charCodeAt(i++))) return -1;
      } else if (e !== 34 && e !== 92 && e !== 47 && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116)
        return -1;
    }
  }
  return -1;
}

/** Index just past a number (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`) starting at `i`, or -1. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === 45) i++;
  const first = text.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) i = digitsEnd(text, i + 1);
  else return -1;
  if (text.charCodeAt(i) === 46) {
    const start = i + 1;
    i = digitsEnd(text, start);
    if (i === start) return -1;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    const start = i;
    i = digitsEnd(text, start);
    if (i === start) return -1;
  }
  return i;
}

function digitsEnd(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    // Written so that NaN (past the end) stops too.
    if (!(c >= 48 && c <= 57)) return i;
    i++;
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
