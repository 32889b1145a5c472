import type { TemporalToken } from '../../../shared/config/temporalFormat';
import type { WallClock } from './temporalText';

/** Reads a date/time text written in one pattern; undefined when the text does not fit it. */
export type TemporalParser = (text: string) => WallClock | undefined;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const LONG_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parse state of one text; reused across values (one parser runs on one thread). */
interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  hour12: number;
  pm: number;
  minute: number;
  second: number;
  micros: string;
  offset: number | undefined;
}

type Step = (text: string, at: number, fields: Fields) => number;

/**
 * Compiles a pattern (`M/d/yyyy`, `yyyyMMdd HH:mm:ss`) once into a hand-written reader: one
 * small function per token, no regular expression and no date library per value. A value must
 * match the whole pattern and name a real calendar day and time.
 *
 * @example
 * compileTemporalParser(parseTemporalFormat('M/d/yyyy').tokens)('1/31/2026') // { year: 2026, month: 1, day: 31, … }
 */
export function compileTemporalParser(tokens: readonly TemporalToken[]): TemporalParser {
  const steps = tokens.map(stepOf);
  return (raw) => {
    const text = raw.trim();
    const fields: Fields = {
      year: -1,
      month: -1,
      day: -1,
      hour: 0,
      hour12: -1,
      pm: -1,
      minute: 0,
      second: 0,
      micros: '000000',
      offset: undefined,
    };
    let at = 0;
    for (const step of steps) {
      at = step(text, at, fields);
      if (at < 0) return undefined;
    }
    if (at !== text.length) return undefined;
    return clockOf(fields);
  };
}

function clockOf(fields: Fields): WallClock | undefined {
  const { year, month, day, minute, second } = fields;
  let hour = fields.hour;
  if (fields.hour12 !== -1) {
    if (fields.hour12 < 1 || fields.hour12 > 12) return undefined;
    hour = (fields.hour12 % 12) + (fields.pm === 1 ? 12 : 0);
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return { year, month, day, hour, minute, second, micros: fields.micros, offset: fields.offset };
}

function stepOf(token: TemporalToken): Step {
  switch (token.kind) {
    case 'literal': {
      const literal = token.text;
      return (text, at) => (text.startsWith(literal, at) ? at + literal.length : -1);
    }
    case 'year':
      return token.digits === 4
        ? numberStep(4, 4, (fields, n) => (fields.year = n))
        : numberStep(2, 2, (fields, n) => (fields.year = 2000 + n));
    case 'month':
      return numberStep(token.exact ? 2 : 1, 2, (fields, n) => (fields.month = n));
    case 'day':
      return numberStep(token.exact ? 2 : 1, 2, (fields, n) => (fields.day = n));
    case 'hour':
      return numberStep(token.exact ? 2 : 1, 2, (fields, n) => (fields.hour = n));
    case 'hour12':
      return numberStep(token.exact ? 2 : 1, 2, (fields, n) => (fields.hour12 = n));
    case 'minute':
      return numberStep(token.exact ? 2 : 1, 2, (fields, n) => (fields.minute = n));
    case 'second':
      return numberStep(token.exact ? 2 : 1, 2, (fields, n) => (fields.second = n));
    case 'monthName':
      return monthNameStep(token.long ? LONG_MONTHS : MONTHS);
    case 'ampm':
      return (text, at, fields) => {
        const word = text.slice(at, at + 2).toLowerCase();
        if (word !== 'am' && word !== 'pm') return -1;
        fields.pm = word === 'pm' ? 1 : 0;
        return at + 2;
      };
    case 'fraction': {
      const digits = token.digits;
      return (text, at, fields) => {
        for (let i = at; i < at + digits; i++) if (!isDigit(text.charCodeAt(i))) return -1;
        fields.micros = text.slice(at, at + Math.min(digits, 6)).padEnd(6, '0');
        return at + digits;
      };
    }
    case 'offset':
      return offsetStep;
  }
}

/** Between `min` and `max` digits (greedy), handed to `set`. */
function numberStep(min: number, max: number, set: (fields: Fields, n: number) => void): Step {
  return (text, at, fields) => {
    let value = 0;
    let i = at;
    for (; i < at + max && i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!isDigit(c)) break;
      value = value * 10 + (c - 48);
    }
    if (i - at < min) return -1;
    set(fields, value);
    return i;
  };
}

function monthNameStep(names: readonly string[]): Step {
  return (text, at, fields) => {
    const rest = text.slice(at, at + 9).toLowerCase();
    for (let m = 0; m < names.length; m++) {
      if (rest.startsWith(names[m]!)) {
        fields.month = m + 1;
        return at + names[m]!.length;
      }
    }
    return -1;
  };
}

/** `Z`, `±HH`, `±HHMM` or `±HH:MM`. */
function offsetStep(text: string, at: number, fields: Fields): number {
  const c = text.charCodeAt(at);
  if (c === 90 || c === 122) {
    fields.offset = 0;
    return at + 1;
  }
  if (c !== 43 && c !== 45) return -1;
  const hours = twoDigits(text, at + 1);
  if (hours < 0 || hours > 18) return -1;
  let end = at + 3;
  let minutes = 0;
  if (text.charCodeAt(end) === 58) {
    minutes = twoDigits(text, end + 1);
    if (minutes < 0) return -1;
    end += 3;
  } else if (isDigit(text.charCodeAt(end))) {
    minutes = twoDigits(text, end);
    if (minutes < 0) return -1;
    end += 2;
  }
  if (minutes > 59) return -1;
  fields.offset = (c === 45 ? -1 : 1) * (hours * 60 + minutes);
  return end;
}

function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at);
  const b = text.charCodeAt(at + 1);
  return isDigit(a) && isDigit(b) ? (a - 48) * 10 + (b - 48) : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS[month - 1]!;
}
