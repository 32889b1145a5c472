import type { PartitionHistory } from '../../../shared/ports/RunStateStore';
import type { PlannedPartition } from './planPartitions';

/** A partition that should exist, was tried, and has never loaded. */
export interface PartitionGap {
  partition: string;
  /** The newest failure's error, run and time. */
  error?: string;
  failedRunId?: string;
  failedAt?: string;
}

/** `date=2026-01-01` or `slice=2026-01-01..2026-01-07` inside a partition name: its first date. */
const PARTITION_DATE = /(?:^|\/)(?:date|slice)=(\d{4}-\d{2}-\d{2})/;

/**
 * The first date of the oldest partition run state knows (loaded or failed), which widens a range
 * that starts `today`/`yesterday` back to the first load (see `PartitionWindow.earliestKnown`).
 *
 * @example
 * earliestKnownDate([{ partition: 'date=2026-01-03' }, { partition: 'date=2026-01-01' }]); // '2026-01-01'
 */
export function earliestKnownDate(history: readonly PartitionHistory[]): string | undefined {
  let earliest: string | undefined;
  for (const { partition } of history) {
    const date = PARTITION_DATE.exec(partition)?.[1];
    if (date && (!earliest || date < earliest)) earliest = date;
  }
  return earliest;
}

/**
 * What a run plans of a stream's expected partitions: those every run re-reads (the lookback
 * window, or everything without lookback) and every partition that has never loaded, however
 * long ago it failed. This is what keeps a failed slice from becoming a permanent, silent gap.
 *
 * @example
 * partitionsToPlan(expected, await runState.listPartitionHistory({ client, source, stream }));
 */
export function partitionsToPlan(
  expected: readonly PlannedPartition[],
  history: readonly PartitionHistory[],
): PlannedPartition[] {
  const loaded = new Set(history.filter((entry) => entry.loadedAt).map((entry) => entry.partition));
  return expected.filter((partition) => partition.refresh || !loaded.has(partition.partition));
}

/**
 * The gaps of a stream: expected partitions that failed and have not loaded since (each with its
 * last error). A partition no run has tried yet is not a gap: the next run plans it.
 *
 * @example
 * findGaps(expected, history); // [{ partition: 'date=2026-01-03', error: 'Extract.HttpError: HTTP 503 …', … }]
 */
export function findGaps(expected: readonly PlannedPartition[], history: readonly PartitionHistory[]): PartitionGap[] {
  const byPartition = new Map(history.map((entry) => [entry.partition, entry]));
  const gaps: PartitionGap[] = [];
  for (const { partition } of expected) {
    const entry = byPartition.get(partition);
    if (!entry || entry.loadedAt || !entry.failedAt) continue;
    gaps.push({
      partition,
      ...(entry.error === undefined ? {} : { error: entry.error }),
      ...(entry.failedRunId === undefined ? {} : { failedRunId: entry.failedRunId }),
      failedAt: entry.failedAt,
    });
  }
  return gaps;
}
