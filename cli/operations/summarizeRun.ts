import type { ItemRecord, RunRecord, RunStatus } from '../../shared/ports';
import { runStatusAt, tallyItems } from '../../shared/runState';

/** One line of `dif runs list`. */
export interface RunSummary {
  runId: string;
  /** As stored, except a `running` run whose process has gone reads `abandoned` (runStatusAt). */
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
 * the run's own summary. `alive`, when known (the data directory's lock), says whether a process
 * still executes the run; otherwise its heartbeat decides.
 *
 * @example
 * summarizeRun(run, await runState.listItems(run.runId), new Date());
 */
export function summarizeRun(run: RunRecord, items: ItemRecord[], now: Date, alive?: boolean): RunSummary {
  const tally = tallyItems(items);
  const status = runStatusAt(run, now, alive);
  const end = run.finishedAt
    ? Date.parse(run.finishedAt)
    : status === 'abandoned' && run.heartbeatAt
      ? Date.parse(run.heartbeatAt)
      : now.getTime();
  return {
    runId: run.runId,
    status,
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
