import { DateTime, Duration } from 'luxon';
import type { StreamDefinition } from '../../../shared/config/schema';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import { StreamConfigError } from '../errors';

/** One statically known partition of a stream. */
export interface PlannedPartition {
  /** `all`, or e.g. `account_id=1001/date=2026-01-01` (stable: it is part of the item id). */
  partition: string;
  values: Record<string, string>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function listValues(
  where: string,
  name: string,
  spec: (string | number | boolean)[] | string,
  scope: TemplateScope,
): string[] {
  const values = Array.isArray(spec)
    ? spec.map(String)
    : renderTemplate(spec, scope)
        .split(',')
        .map((value) => value.trim())
        .filter(Boolean);
  if (values.length === 0)
    throw new StreamConfigError(
      where,
      `partition list "${name}" is empty; give at least one value in the client params`,
    );
  return values;
}

function resolveDate(where: string, field: string, text: string, zone: string, now: Date): DateTime {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  if (text === 'today') return today;
  if (text === 'yesterday') return today.minus({ days: 1 });
  if (!ISO_DATE.test(text))
    throw new StreamConfigError(where, `date_range.${field} is "${text}"; expected YYYY-MM-DD, today or yesterday`);
  return DateTime.fromISO(text, { zone });
}

/** Consecutive slices of `step` from start to end (inclusive), the last one cut at `end`. */
export function dateSlices(start: DateTime, end: DateTime, step: Duration): { start: string; end: string }[] {
  const slices: { start: string; end: string }[] = [];
  for (let cursor = start; cursor <= end; cursor = cursor.plus(step)) {
    const last = DateTime.min(cursor.plus(step).minus({ days: 1 }), end);
    slices.push({ start: cursor.toISODate()!, end: last.toISODate()! });
  }
  return slices;
}

/**
 * The partitions of a stream for one client: the product of every `list` and the date-range
 * slices. With `lookback`, runs after the first re-read only the last `lookback` of the range
 * (restated data) instead of the whole history.
 */
export function planPartitions(
  stream: StreamDefinition,
  scope: TemplateScope,
  now: Date,
  where: string,
  options: { loadedBefore?: boolean } = {},
): PlannedPartition[] {
  const spec = stream.partition;
  if (!spec) return [{ partition: 'all', values: {} }];
  let combos: PlannedPartition[] = [{ partition: '', values: {} }];
  for (const [name, list] of Object.entries(spec.list ?? {})) {
    const values = listValues(where, name, list, scope);
    combos = combos.flatMap((combo) =>
      values.map((value) => ({
        partition: `${combo.partition}${combo.partition ? '/' : ''}${name}=${value}`,
        values: { ...combo.values, [name]: value },
      })),
    );
  }
  if (spec.date_range) {
    const range = spec.date_range;
    const step = Duration.fromISO(range.step);
    if (!step.isValid || step.as('days') < 1)
      throw new StreamConfigError(where, `date_range.step "${range.step}" must be at least one day (e.g. P1D, P7D)`);
    const end = resolveDate(where, 'end', renderTemplate(range.end, scope), range.timezone, now);
    let start = resolveDate(where, 'start', renderTemplate(range.start, scope), range.timezone, now);
    if (range.lookback && options.loadedBefore)
      start = DateTime.max(start, end.minus(Duration.fromISO(range.lookback)).plus({ days: 1 }));
    const slices = dateSlices(start, end, step);
    const daily = step.as('days') === 1;
    combos = combos.flatMap((combo) =>
      slices.map((slice) => ({
        partition: `${combo.partition}${combo.partition ? '/' : ''}${daily ? `date=${slice.start}` : `slice=${slice.start}..${slice.end}`}`,
        values: { ...combo.values, slice_start: slice.start, slice_end: slice.end },
      })),
    );
  }
  return combos;
}
