import type { RunRecord, RunStatus } from '../ports/RunStateStore';

/** A local run refreshes its heartbeat every 5 s; this many ms without one and it is presumed dead. */
export const RUN_HEARTBEAT_LEASE_MS = 60_000;

/**
 * A run's status as a person should read it: a `running` run whose executing process has gone
 * (its heartbeat older than the lease, or `alive` says so) is `abandoned` — it will never finish,
 * and its unfinished items are re-planned by the next run. A run without a heartbeat (an AWS
 * execution, whose status Step Functions keeps) is shown as stored unless `alive` says otherwise.
 *
 * @example
 * runStatusAt({ runId, status: 'running', startedAt, heartbeatAt: '2026-01-01T00:00:00Z' }, new Date('2026-01-01T00:05:00Z')); // 'abandoned'
 */
export function runStatusAt(run: RunRecord, now: Date, alive?: boolean): RunStatus {
  if (run.status !== 'running') return run.status;
  if (alive === false) return 'abandoned';
  if (alive === undefined && run.heartbeatAt && now.getTime() - Date.parse(run.heartbeatAt) > RUN_HEARTBEAT_LEASE_MS)
    return 'abandoned';
  return 'running';
}
