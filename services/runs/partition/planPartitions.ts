import { DateTime, Duration } from 'luxon';
import type { StreamDefinition } from '../../../shared/config/schema';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import { StreamConfigError } from '../../../shared/config/StreamConfigError';
import { relativeDates } from '../../../shared/config/scopeValues';

/** One statically known partition of a stream. */
export interface PlannedPartition {
  /** `all`, or e.g. `account_id=1001/date=2026-01-01` (stable: it is part of the item id). */
  partition: string;
  values: Record<string, string>;
  /**
   * Re-read on every run, loaded or not: every partition of a stream without `lookback`, the
   * slices inside the lookback window otherwise. The others are planned only until they load.
   */
  refresh: boolean;
}

/** Dates that widen or narrow the date range of {@link planPartitions}. */
export interface PartitionWindow {
  /**
   * The first date of the oldest partition run state knows. A range that starts `today` or
   * `yesterday` moves every day; it is widened back to here so an older slice that never loaded
   * stays planned (and visible as a gap) instead of sliding out of the range.
   */
  earliestKnown?: string;
  /** A backfill: exactly the slices overlapping `from`..`to` (YYYY-MM-DD), aligned on the configured start. */
  backfill?: { from: string; to: string };
  /**
   * The partition values of `partition.from_stream`, as Plan discovered them (or as run state
   * recorded the last discovery): one entry per discovered record.
   */
  discovered?: readonly Record<string, string>[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const RELATIVE_DATES = new Set(['today', 'yesterday']);
/** A start that moves with the calendar: `today`, or a template such as `{{ today - P28D }}`. */
const READS_TODAY = /\{\{\s*(today|yesterday)\b/;

/** `date_range.lookback` as written, or rendered from a template (a per-client attribution window). */
function lookbackOf(where: string, written: string | undefined, scope: TemplateScope): Duration | undefined {
  if (written === undefined) return undefined;
  const text = renderTemplate(written, scope).trim();
  const lookback = Duration.fromISO(text);
  if (!lookback.isValid || !/^P/.test(text))
    throw new StreamConfigError(
      where,
      `date_range.lookback is "${text}"${text === written ? '' : ` (from ${written})`}; expected an ISO duration such as P7D or P28D`,
    );
  return lookback;
}

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

/**
 * A YYYY-MM-DD text as a calendar date in `zone`; `today`/`yesterday` resolve against `now`.
 * An impossible date (`2026-02-30`) is an error, never an empty range.
 */
export function resolveDate(where: string, field: string, text: string, zone: string, now: Date): DateTime {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  if (text === 'today') return today;
  if (text === 'yesterday') return today.minus({ days: 1 });
  if (!ISO_DATE.test(text))
    throw new StreamConfigError(where, `${field} is "${text}"; expected YYYY-MM-DD, today or yesterday`);
  const date = DateTime.fromISO(text, { zone });
  if (!date.isValid)
    throw new StreamConfigError(
      where,
      `${field} is "${text}", which is not a calendar date (${date.invalidExplanation ?? 'no such day'}); fix the day or month`,
    );
  return date;
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

/** The slice boundary on the grid `anchor + k × step` at or before `date` (k may be negative). */
function alignedStart(anchor: DateTime, date: DateTime, step: Duration): DateTime {
  let cursor = anchor;
  while (cursor > date) cursor = cursor.minus(step);
  while (cursor.plus(step) <= date) cursor = cursor.plus(step);
  return cursor;
}

interface DateSlice {
  start: string;
  end: string;
  refresh: boolean;
}

/** The date slices of a stream's range, widened or replaced by `window`, each marked refresh or not. */
function rangeSlices(
  range: NonNullable<NonNullable<StreamDefinition['partition']>['date_range']>,
  scope: TemplateScope,
  now: Date,
  where: string,
  window: PartitionWindow,
): DateSlice[] {
  const step = Duration.fromISO(range.step);
  if (!step.isValid || step.as('days') < 1)
    throw new StreamConfigError(where, `date_range.step "${range.step}" must be at least one day (e.g. P1D, P7D)`);
  const zone = range.timezone;
  // `today` and `yesterday` follow the range's time zone, like the keywords `end: today`.
  const dated = { ...scope, ...relativeDates(now, zone) };
  const end = resolveDate(where, 'date_range.end', renderTemplate(range.end, dated), zone, now);
  const startText = renderTemplate(range.start, dated);
  const start = resolveDate(where, 'date_range.start', startText, zone, now);
  const lookback = lookbackOf(where, range.lookback, dated);
  const refreshFrom = lookback ? end.minus(lookback).plus({ days: 1 }) : start;
  const refresh = (slice: { start: string; end: string }) =>
    slice.start >= start.toISODate()! && slice.end >= refreshFrom.toISODate()!;
  if (window.backfill) {
    const from = resolveDate(where, 'backfill --from', window.backfill.from, zone, now);
    const to = resolveDate(where, 'backfill --to', window.backfill.to, zone, now);
    const cap = DateTime.max(to, end);
    const slices: DateSlice[] = [];
    for (let cursor = alignedStart(start, from, step); cursor <= to; cursor = cursor.plus(step)) {
      const last = DateTime.min(cursor.plus(step).minus({ days: 1 }), cap);
      slices.push({ start: cursor.toISODate()!, end: last.toISODate()!, refresh: true });
    }
    return slices;
  }
  let first = start;
  const moving = RELATIVE_DATES.has(startText) || READS_TODAY.test(range.start);
  if (moving && window.earliestKnown && ISO_DATE.test(window.earliestKnown)) {
    const known = DateTime.fromISO(window.earliestKnown, { zone });
    if (known.isValid && known < start) first = alignedStart(start, known, step);
  }
  return dateSlices(first, end, step).map((slice) => ({ ...slice, refresh: refresh(slice) }));
}

/**
 * The partitions that should exist for a stream of one client: the product of every `list`, the
 * discovered records (`window.discovered`, for `partition.from_stream`) and the date-range slices, each marked whether every run re-reads it (see
 * {@link PlannedPartition.refresh}). With `window.backfill`, only the slices of that window.
 *
 * @example
 * planPartitions(stream, { client: { ids: '1,2' } }, new Date(), 'sources/x.yml streams.s.partition');
 * // [{ partition: 'account_id=1/date=2026-01-01', values: {…}, refresh: true }, …]
 */
export function planPartitions(
  stream: StreamDefinition,
  scope: TemplateScope,
  now: Date,
  where: string,
  window: PartitionWindow = {},
): PlannedPartition[] {
  const spec = stream.partition;
  if (!spec) return [{ partition: 'all', values: {}, refresh: true }];
  let combos: PlannedPartition[] = [{ partition: '', values: {}, refresh: true }];
  for (const [name, list] of Object.entries(spec.list ?? {})) {
    const values = listValues(where, name, list, { ...scope, ...relativeDates(now) });
    combos = combos.flatMap((combo) =>
      values.map((value) => ({
        partition: `${combo.partition}${combo.partition ? '/' : ''}${name}=${value}`,
        values: { ...combo.values, [name]: value },
        refresh: true,
      })),
    );
  }
  if (spec.from_stream) {
    const discovered = window.discovered;
    if (!discovered)
      throw new StreamConfigError(
        where,
        `its partitions are discovered from stream ${spec.from_stream} when Plan runs; none were discovered`,
      );
    combos = combos.flatMap((combo) =>
      discovered.map((values) => ({
        partition: Object.entries(values).reduce(
          (name, [key, value]) => `${name}${name ? '/' : ''}${key}=${value}`,
          combo.partition,
        ),
        values: { ...combo.values, ...values },
        refresh: true,
      })),
    );
  }
  if (spec.date_range) {
    const slices = rangeSlices(spec.date_range, scope, now, where, window);
    const daily = Duration.fromISO(spec.date_range.step).as('days') === 1;
    combos = combos.flatMap((combo) =>
      slices.map((slice) => ({
        partition: `${combo.partition}${combo.partition ? '/' : ''}${daily ? `date=${slice.start}` : `slice=${slice.start}..${slice.end}`}`,
        values: { ...combo.values, slice_start: slice.start, slice_end: slice.end },
        refresh: slice.refresh,
      })),
    );
  }
  return combos;
}
