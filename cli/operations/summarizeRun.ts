import type { ItemRecord, RunRecord, RunStatus } from '../../shared/ports';
import { tallyItems } from '../../shared/runState';

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
  const tally = tallyItems(items);
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now.getTime();
  return {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    durationMs: Math.max(0, end - Date.parse(run.startedAt)),
    items: tally.items,
    ok: tally.byStage.loaded ?? 0,
    failed: tally.failed.length,
    pending: tally.unfinished.length,
    rowsLoaded: tally.rowsLoaded,
  };
}
