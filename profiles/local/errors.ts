import { UserError } from '../../cli/UserError';
import type { LockHolder } from './DataDirLock';

/**
 * Another live process holds the data directory (a run, a replay, a query of the embedded
 * warehouse). Says who, since when, and what to do.
 */
export class DataDirBusyError extends UserError {
  constructor(
    dataDir: string,
    command: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${DataDirBusyError.describe(dataDir, holder)}. One process at a time may use a data directory (its queues have one set of consumers and the embedded PGlite warehouse one writer), so \`${command}\` did not start. Wait for it to finish${command === 'dif run' ? ', start this run with --wait to queue behind it,' : ''} or use another --data-dir.`,
    );
    this.name = 'DataDirBusyError';
  }

  /** `data directory X is in use by run R (dif run, pid P on H, started …, last heartbeat …)`. */
  static describe(dataDir: string, holder: LockHolder): string {
    const age = (iso: string) => `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago`;
    const details = [
      ...(holder.runId ? [holder.command] : []),
      `pid ${holder.pid} on ${holder.host}`,
      `started ${age(holder.acquiredAt)}`,
      `last heartbeat ${age(holder.heartbeatAt)}`,
    ];
    const who = holder.runId ? `run ${holder.runId}` : `\`${holder.command}\``;
    return `data directory ${dataDir} is in use by ${who} (${details.join(', ')})`;
  }
}
