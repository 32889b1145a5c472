const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * True when `text` is a real calendar date written `YYYY-MM-DD` (`2026-02-30` is not). Plain
 * `Date` arithmetic rather than luxon: config validation runs in every CLI command, and luxon's
 * first use loads the system locale, a twentieth of `dif credentials list`'s start-up.
 *
 * @example
 * isCalendarDate('2024-02-29') // true
 * isCalendarDate('2026-02-30') // false
 */
export function isCalendarDate(text: string): boolean {
  if (!DATE_SHAPE.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  // Date rolls 2026-02-30 over to March 2: a real date reads back as itself.
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

/**
 * True when `text` is written `YYYY-MM-DD` but names no day (`2026-02-30`): what config schemas
 * refuse in values that may also be templates or other text.
 *
 * @example
 * isImpossibleDate('2026-02-30') // true
 * isImpossibleDate('{{ today }}') // false: not date-shaped
 */
export function isImpossibleDate(text: string): boolean {
  return DATE_SHAPE.test(text) && !isCalendarDate(text);
}
