import { Rejection } from './Rejection';

/**
 * Exact decimal text for `decimal(precision, scale)` from decimal text (`-12.3450`, `1.5e3`,
 * `+.5`), using digit strings only: no float ever touches the value. Extra fraction digits are
 * rounded half away from zero (as the warehouse would); too many integer digits are rejected.
 *
 * @example
 * decimalText('12.3456789', 18, 6) // '12.345679'
 */
export function decimalText(text: string, precision: number, scale: number): string | Rejection {
  const plain = plainDecimalText(text, precision, scale);
  if (plain !== undefined) return plain;
  const parsed = parseDecimal(text);
  if (!parsed)
    return new Rejection(
      `${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)} is not a decimal number`,
    );
  const { negative, digits, point } = parsed;
  let intPart: string;
  let fraction: string;
  if (point <= 0) {
    intPart = '';
    fraction = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    intPart = digits + '0'.repeat(point - digits.length);
    fraction = '';
  } else {
    intPart = digits.slice(0, point);
    fraction = digits.slice(point);
  }
  if (fraction.length > scale) {
    const roundUp = fraction.charCodeAt(scale) >= 53;
    fraction = fraction.slice(0, scale);
    if (roundUp) {
      const bumped = incrementDigits(intPart + fraction);
      intPart = bumped.slice(0, bumped.length - scale);
      fraction = bumped.slice(bumped.length - scale);
    }
  } else if (fraction.length < scale) fraction += '0'.repeat(scale - fraction.length);
  let lead = 0;
  while (lead < intPart.length && intPart.charCodeAt(lead) === 48) lead++;
  intPart = intPart.slice(lead);
  if (intPart.length > precision - scale) {
    return new Rejection(
      `${text} does not fit decimal(${precision},${scale}) (at most ${precision - scale} digits before the point)`,
    );
  }
  const body = scale > 0 ? `${intPart || '0'}.${fraction}` : intPart || '0';
  const isZero = intPart === '' && !/[1-9]/.test(fraction);
  return negative && !isZero ? `-${body}` : body;
}

/**
 * The common case without allocating digit strings: text already written `-?D+(.F+)?` with no
 * leading zero, no more fraction digits than `scale` and few enough integer digits, so the
 * answer is the text padded with zeros. Anything else (signs, exponents, rounding, negative
 * zero, overflow) returns undefined for the general path to decide.
 */
function plainDecimalText(text: string, precision: number, scale: number): string | undefined {
  const n = text.length;
  const intStart = text.charCodeAt(0) === 45 ? 1 : 0;
  let nonZero = false;
  let i = intStart;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (c !== 48) nonZero = true;
  }
  const intDigits = i - intStart;
  if (intDigits === 0 || intDigits > precision - scale || (intDigits > 1 && text.charCodeAt(intStart) === 48))
    return undefined;
  let fracDigits = 0;
  if (i < n) {
    if (text.charCodeAt(i) !== 46) return undefined;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      if (c !== 48) nonZero = true;
      fracDigits++;
    }
    if (fracDigits === 0 || fracDigits > scale) return undefined;
  }
  if (intStart === 1 && !nonZero) return undefined;
  if (fracDigits === scale) return text;
  return fracDigits === 0 ? `${text}.${'0'.repeat(scale)}` : text + '0'.repeat(scale - fracDigits);
}

interface ParsedDecimal {
  negative: boolean;
  /** Significant digits without the point. */
  digits: string;
  /** Position of the decimal point within `digits` (may be < 0 or > digits.length). */
  point: number;
}

function parseDecimal(raw: string): ParsedDecimal | undefined {
  const text = raw.trim();
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i++;
  }
  const intStart = i;
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  const intDigits = text.slice(intStart, i);
  let fracDigits = '';
  if (text.charCodeAt(i) === 46) {
    const fracStart = ++i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    fracDigits = text.slice(fracStart, i);
  }
  if (intDigits.length === 0 && fracDigits.length === 0) return undefined;
  let exponent = 0;
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    let expNegative = false;
    const sign = text.charCodeAt(i);
    if (sign === 45 || sign === 43) {
      expNegative = sign === 45;
      i++;
    }
    const expStart = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart || i - expStart > 4) return undefined;
    exponent = Number(text.slice(expStart, i)) * (expNegative ? -1 : 1);
  }
  if (i !== text.length) return undefined;
  return { negative, digits: intDigits + fracDigits, point: intDigits.length + exponent };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Adds one to a string of decimal digits ("0999" → "1000", "99" → "100"). */
function incrementDigits(digits: string): string {
  const out = digits.split('');
  let i = out.length - 1;
  while (i >= 0 && out[i] === '9') out[i--] = '0';
  if (i < 0) return `1${out.join('')}`;
  out[i] = String.fromCharCode(out[i]!.charCodeAt(0) + 1);
  return out.join('');
}
