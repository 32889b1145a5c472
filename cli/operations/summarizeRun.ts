import type { ItemRecord, RunRecord, RunStatus } from '../../shared/ports';

/** One line of `dif runs list`. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  /** Until `finishedAt`, or until now for a run still going. */
  durationMs: number;
  items: number;
  /** Items in stage `loaded`. */
  ok: number;
  failed: number;
  /** Items neither loaded nor failed (still running, or abandoned by a crash). */
  pending: number;
  rowsLoaded: number;
}

/**
 * Summarizes a run from its items, so the figures agree with `dif runs show` whoever wrote
 * the run's own summary.
 *
 * @example
 * summarizeRun(run, await runState.listItems(run.runId), new Date());
 */
export function summarizeRun(run: RunRecord, items: ItemRecord[], now: Date): RunSummary {
  const ok = items.filter((item) => item.stage === 'loaded').length;
  const failed = items.filter((item) => item.stage === 'failed').length;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now.getTime();
  return {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    durationMs: Math.max(0, end - Date.parse(run.startedAt)),
    items: items.length,
    ok,
    failed,
    pending: items.length - ok - failed,
    rowsLoaded: items.reduce((sum, item) => sum + (item.rowsLoaded ?? 0), 0),
  };
}
