import { DateTime, IANAZone } from 'luxon';
import { Rejection } from './Rejection';

/** Parsed wall-clock fields of a date or timestamp, before time-zone normalisation. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Exactly six digits. */
  micros: string;
  /** Minutes east of UTC when the text carried an offset, else undefined (naive). */
  offset: number | undefined;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Numbers below this are Unix seconds; at or above, milliseconds (10^11 s is the year 5138). */
const EPOCH_MS_THRESHOLD = 1e11;

/**
 * `YYYY-MM-DD` from `2026-01-31`, `20260131`, or the date part of an ISO timestamp.
 *
 * @example
 * dateText('2026-01-31T10:00:00Z') // '2026-01-31'
 */
export function dateText(text: string): string | Rejection {
  if (isPlainDate(text)) return text;
  const clock = parseWallClock(text.trim());
  if (!clock) return new Rejection(`${quoted(text)} is not a date (expected YYYY-MM-DD)`);
  return `${pad4(clock.year)}-${pad2(clock.month)}-${pad2(clock.day)}`;
}

/**
 * A date written as a record of its parts, `{ "year": 2026, "month": 2, "day": 1 }` (LinkedIn's
 * Rest.li `Date`, as in adAnalytics' `dateRange.start`); numbers or digit strings.
 *
 * @example
 * datePartsText({ year: 2026, month: 2, day: 1 }) // '2026-02-01'
 */
export function datePartsText(parts: Record<string, unknown>): string | Rejection {
  const [year, month, day] = [parts.year, parts.month, parts.day].map(Number) as [number, number, number];
  const text = `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
  if ([year, month, day].every(Number.isInteger) && isPlainDate(text)) return text;
  return new Rejection(
    `${JSON.stringify(parts).slice(0, 80)} is not a date (expected { year, month, day } of a real day)`,
  );
}

/**
 * `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (plus `+00` when `withZone`) from an ISO-8601 timestamp
 * (`T` or space, optional seconds and fraction, `Z`/`±HH:MM`/`±HHMM`/`±HH`/` UTC`), a date, or a
 * Unix epoch number (seconds, or milliseconds from 10^11 up). Text without an offset is read
 * in `zone` (IANA name).
 *
 * @example
 * timestampText('2026-01-31T10:00:00+01:00', 'UTC', true) // '2026-01-31 09:00:00.000000+00'
 */
export function timestampText(value: string | number, zone: string, withZone: boolean): string | Rejection {
  let clock: WallClock | undefined;
  if (typeof value === 'number') clock = fromEpoch(value);
  else {
    const plain = plainUtcTimestamp(value, zone);
    if (plain !== undefined) return withZone ? `${plain}+00` : plain;
    const text = value.trim();
    clock = isAllDigits(text) && text.length > 8 ? fromEpoch(Number(text)) : parseWallClock(text);
  }
  if (!clock)
    return new Rejection(
      `${quoted(String(value))} is not a timestamp (expected ISO-8601 like 2026-01-31T10:00:00Z, or epoch seconds)`,
    );
  return clockTimestampText(clock, zone, withZone, value);
}

/**
 * The clean timestamp text of a parsed wall clock: shifted to UTC by its offset, or by the
 * offset of `zone` at that wall-clock time when it has none.
 *
 * @example
 * clockTimestampText(clock, 'America/New_York', false, '1/31/2026 10:00') // '2026-01-31 15:00:00.000000'
 */
export function clockTimestampText(
  clock: WallClock,
  zone: string,
  withZone: boolean,
  original: string | number,
): string | Rejection {
  let { year, month, day, hour, minute, second } = clock;
  let offset = clock.offset;
  if (offset === undefined && zone !== 'UTC') {
    offset = localOffset(zone, clock);
    if (offset === undefined) return new Rejection(`${quoted(String(original))} does not exist in time zone ${zone}`);
  }
  if (offset) {
    const shifted = shiftedClock(clock, -offset);
    year = shifted.getUTCFullYear();
    month = shifted.getUTCMonth() + 1;
    day = shifted.getUTCDate();
    hour = shifted.getUTCHours();
    minute = shifted.getUTCMinutes();
    second = shifted.getUTCSeconds();
  }
  if (year < 1 || year > 9999) return new Rejection(`${quoted(String(original))} is outside the years 1–9999`);
  const text = `${pad4(year)}-${pad2(month)}-${pad2(day)} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}.${clock.micros}`;
  return withZone ? `${text}+00` : text;
}

/**
 * The clean date text (`YYYY-MM-DD`) of a parsed wall clock. A clock read from an epoch (offset
 * 0) is the instant's date in `zone`; any other clock is its own calendar date.
 *
 * @example
 * clockDateText(fromEpochValue(1769904000, 'seconds')!, 'America/Los_Angeles', 1769904000) // '2026-01-31'
 */
export function clockDateText(clock: WallClock, zone: string, original: string | number): string | Rejection {
  let { year, month, day } = clock;
  if (clock.offset === 0 && zone !== 'UTC') {
    const shifted = shiftedClock(clock, instantOffset(zone, clock));
    year = shifted.getUTCFullYear();
    month = shifted.getUTCMonth() + 1;
    day = shifted.getUTCDate();
  }
  if (year < 1 || year > 9999) return new Rejection(`${quoted(String(original))} is outside the years 1–9999`);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

/** The wall clock moved by `minutes`, as a Date read in UTC. */
function shiftedClock(clock: WallClock, minutes: number): Date {
  // Not Date.UTC: it reads years 0–99 as 1900–1999.
  const wall = new Date(0);
  wall.setUTCFullYear(clock.year, clock.month - 1, clock.day);
  wall.setUTCHours(clock.hour, clock.minute, clock.second, 0);
  return new Date(wall.getTime() + minutes * 60_000);
}

/** Offsets of local hours, per zone: a zone changes its offset a few times a year, not per value. */
const localOffsets = new Map<string, Map<number, number>>();
const OFFSET_CACHE_LIMIT = 100_000;

/**
 * Minutes east of UTC of `zone` at a wall-clock time, or undefined when that time does not
 * exist there. Luxon decides once per local hour; an hour that holds a change of offset is
 * decided per value.
 */
function localOffset(zone: string, clock: WallClock): number | undefined {
  let cache = localOffsets.get(zone);
  if (!cache) localOffsets.set(zone, (cache = new Map()));
  const hourKey = ((clock.year * 13 + clock.month) * 32 + clock.day) * 24 + clock.hour;
  const known = cache.get(hourKey);
  if (known !== undefined) return known;
  const { year, month, day, hour, minute, second } = clock;
  const at = existing(DateTime.fromObject({ year, month, day, hour, minute, second }, { zone }), clock, minute);
  if (!at) return undefined;
  const start = existing(DateTime.fromObject({ year, month, day, hour, minute: 0, second: 0 }, { zone }), clock, 0);
  const end = existing(DateTime.fromObject({ year, month, day, hour, minute: 59, second: 59 }, { zone }), clock, 59);
  if (start && end && start.offset === at.offset && end.offset === at.offset) {
    if (cache.size >= OFFSET_CACHE_LIMIT) cache.clear();
    cache.set(hourKey, at.offset);
  }
  return at.offset;
}

/**
 * The time luxon made of a wall clock, or undefined when the clock does not exist in the zone:
 * luxon moves a time inside a spring-forward gap (02:30 in New York on the day clocks jump from
 * 02:00 to 03:00) to another hour, and a timestamp that never happened is rejected, not moved.
 */
function existing(at: DateTime, clock: WallClock, minute: number): DateTime | undefined {
  return at.isValid && at.hour === clock.hour && at.minute === minute && at.day === clock.day ? at : undefined;
}

/** Minutes east of UTC of `zone` at the instant a UTC wall clock names. */
function instantOffset(zone: string, clock: WallClock): number {
  return IANAZone.create(zone).offset(shiftedClock(clock, 0).getTime());
}

/** Exactly `YYYY-MM-DD`, a real day of year 1 or later: already its own clean text. */
function isPlainDate(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * The common case without building a wall clock: `YYYY-MM-DD[T ]HH:MM:SS` with no fraction,
 * already in UTC (a zero offset, or no offset when the zone is UTC). Its clean text is its own
 * characters rearranged. Anything else returns undefined for the general path.
 */
function plainUtcTimestamp(text: string, zone: string): string | undefined {
  const length = text.length;
  if (
    length < 19 ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  )
    return undefined;
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 32) return undefined;
  if (length === 19 ? zone !== 'UTC' : !isZeroOffset(text, 19)) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return `${text.slice(0, 10)} ${text.slice(11, 19)}.000000`;
}

/** `Z`, `+00`, `+0000`, `+00:00` (or with `-`) from `at` to the end. */
function isZeroOffset(text: string, at: number): boolean {
  const rest = text.length - at;
  const first = text.charCodeAt(at);
  if (rest === 1) return first === 90;
  if (first !== 43 && first !== 45) return false;
  if (rest === 3) return digits(text, at + 1, 2) === 0;
  if (rest === 5) return digits(text, at + 1, 4) === 0;
  return rest === 6 && text.charCodeAt(at + 3) === 58 && digits(text, at + 1, 2) === 0 && digits(text, at + 4, 2) === 0;
}

/** True when `zone` is an IANA time zone luxon knows. */
export function isKnownZone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone);
}

function fromEpoch(value: number): WallClock | undefined {
  return fromEpochValue(value, Math.abs(value) >= EPOCH_MS_THRESHOLD ? 'millis' : 'seconds');
}

/**
 * The UTC wall clock of a Unix epoch in the unit a column's `format` names (no guessing).
 *
 * @example
 * fromEpochValue(1769904000000, 'millis')?.year // 2026
 */
export function fromEpochValue(value: number, unit: 'seconds' | 'millis'): WallClock | undefined {
  if (!Number.isFinite(value)) return undefined;
  const micros = Math.round(unit === 'millis' ? value * 1000 : value * 1_000_000);
  const ms = Math.floor(micros / 1000);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    micros: String(micros - Math.floor(micros / 1_000_000) * 1_000_000).padStart(6, '0'),
    offset: 0,
  };
}

/** Hand-written ISO-8601 reader: a regular expression per value costs more than this. */
function parseWallClock(text: string): WallClock | undefined {
  let i: number;
  let year: number;
  let month: number;
  let day: number;
  if (text.length >= 10 && text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    year = digits(text, 0, 4);
    month = digits(text, 5, 2);
    day = digits(text, 8, 2);
    i = 10;
  } else if (text.length === 8) {
    year = digits(text, 0, 4);
    month = digits(text, 4, 2);
    day = digits(text, 6, 2);
    i = 8;
  } else return undefined;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  const clock: WallClock = { year, month, day, hour: 0, minute: 0, second: 0, micros: '000000', offset: undefined };
  if (i === text.length) return clock;
  const separator = text.charCodeAt(i);
  if (separator !== 84 && separator !== 116 && separator !== 32) return undefined;
  i++;
  clock.hour = digits(text, i, 2);
  if (text.charCodeAt(i + 2) !== 58) return undefined;
  clock.minute = digits(text, i + 3, 2);
  i += 5;
  if (text.charCodeAt(i) === 58) {
    clock.second = digits(text, i + 1, 2);
    i += 3;
    if (text.charCodeAt(i) === 46 || text.charCodeAt(i) === 44) {
      const start = ++i;
      while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      if (i === start) return undefined;
      clock.micros = text.slice(start, Math.min(i, start + 6)).padEnd(6, '0');
    }
  }
  if (
    clock.hour < 0 ||
    clock.hour > 23 ||
    clock.minute < 0 ||
    clock.minute > 59 ||
    clock.second < 0 ||
    clock.second > 59
  )
    return undefined;
  if (i === text.length) return clock;
  const offset = parseOffset(text, i);
  if (offset === undefined) return undefined;
  clock.offset = offset;
  return clock;
}

function parseOffset(text: string, i: number): number | undefined {
  const rest = text.slice(i).trim();
  if (rest === 'Z' || rest === 'z' || rest === 'UTC' || rest === 'GMT') return 0;
  const sign = rest.charCodeAt(0);
  if (sign !== 43 && sign !== 45) return undefined;
  const hours = digits(rest, 1, 2);
  let minutes = 0;
  if (rest.length === 6 && rest.charCodeAt(3) === 58) minutes = digits(rest, 4, 2);
  else if (rest.length === 5) minutes = digits(rest, 3, 2);
  else if (rest.length !== 3) return undefined;
  if (hours < 0 || hours > 18 || minutes < 0 || minutes > 59) return undefined;
  return (sign === 45 ? -1 : 1) * (hours * 60 + minutes);
}

/** The number written by `count` ASCII digits at `at`, or -1. */
function digits(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return -1;
    value = value * 10 + (c - 48);
  }
  return value;
}

function isAllDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) return false;
  }
  return text.length > 0;
}

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS[month - 1]!;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
