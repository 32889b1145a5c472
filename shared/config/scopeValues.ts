import { DateTime } from 'luxon';

/** Only `DIF_*` variables reach templates, so a source cannot read arbitrary process secrets. */
export function difEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[0].startsWith('DIF_') && entry[1] !== undefined,
    ),
  );
}

/**
 * `today` and `yesterday` as YYYY-MM-DD in `zone` (default UTC), for `{{ today - P28D }}`.
 *
 * @example
 * relativeDates(new Date('2026-03-01T03:00:00Z'), 'America/New_York'); // { today: '2026-02-28', yesterday: '2026-02-27' }
 */
export function relativeDates(now: Date, zone = 'UTC'): { today: string; yesterday: string } {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  return { today: today.toISODate()!, yesterday: today.minus({ days: 1 }).toISODate()! };
}
