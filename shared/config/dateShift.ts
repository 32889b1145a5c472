import { DateTime, Duration } from 'luxon';

/** How date arithmetic is written, for messages. */
export const DATE_SHIFT_HELP = '{{ today - P28D }}, {{ slice.end + P1D }} (days D, weeks W, months M, years Y)';

/** `- P28D`, `+ P1M2D`: a sign and an ISO-8601 duration of whole years, months, weeks and days. */
const SHIFT = /^([+-]) (P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What is wrong with a date shift as written after a variable (`- P28D`), or undefined.
 *
 * @example
 * dateShiftProblem('- P28D'); // undefined
 * dateShiftProblem('- PT1H'); // 'date arithmetic "- PT1H" …'
 */
export function dateShiftProblem(shift: string): string | undefined {
  if (SHIFT.test(shift)) return undefined;
  return `date arithmetic "${shift}" is not a sign and an ISO duration of days, weeks, months or years; write ${DATE_SHIFT_HELP}`;
}

/**
 * Moves a date (`2026-03-31`) or an ISO date-time (`2026-03-31T10:00:00Z`) by a shift such as
 * `- P1M`, keeping its form: a date stays a date, a date-time keeps its offset. Month arithmetic
 * clamps to the month's last day (2026-03-31 - P1M = 2026-02-28). Undefined when `value` is not a
 * date or the shift is malformed.
 *
 * @example
 * shiftDate('2026-03-01', '- P28D'); // '2026-02-01'
 * shiftDate('2026-01-05T10:00:00Z', '- P7D'); // '2025-12-29T10:00:00Z'
 */
export function shiftDate(value: string, shift: string): string | undefined {
  const match = SHIFT.exec(shift);
  if (!match) return undefined;
  const duration = Duration.fromISO(match[2]!);
  const dateOnly = ISO_DATE.test(value);
  const parsed = DateTime.fromISO(value, { setZone: true, zone: 'UTC' });
  if (!parsed.isValid || !(dateOnly || /^\d{4}-\d{2}-\d{2}T/.test(value))) return undefined;
  const moved = match[1] === '-' ? parsed.minus(duration) : parsed.plus(duration);
  if (dateOnly) return moved.toISODate()!;
  const offset = /([zZ]|[+-]\d{2}:?\d{2})$/.exec(value)?.[1];
  const iso = moved.toISO({ suppressMilliseconds: !/\.\d/.test(value), includeOffset: offset !== undefined })!;
  return offset === 'Z' || offset === 'z' ? iso.replace(/\+00:00$/, offset) : iso.replace(/Z$/, '+00:00');
}
