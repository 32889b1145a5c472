import { join } from 'node:path';
import type { QueueName } from '../../ports/Queue';
import { openSqliteDatabase } from './openSqliteDatabase';
import { SqliteQueue, type SqliteQueueOptions } from './SqliteQueue';

const QUEUE_NAMES: readonly QueueName[] = ['transform', 'load'];

export interface LocalQueuesOptions extends SqliteQueueOptions {
  /** Per-queue overrides of the shared options (e.g. a lower `maxReceiveCount` for `load`). */
  queues?: Partial<Record<QueueName, Omit<SqliteQueueOptions, 'now'>>>;
  /** Database file (default `<dataDir>/queues.db`). */
  file?: string;
}

/** Every pipeline queue, plus `close()`, which is not enumerable so `Object.values` sees queues only. */
export type LocalQueues = Record<QueueName, SqliteQueue> & { close(): Promise<void> };

/**
 * Opens all pipeline queues and their DLQs in `<dataDir>/queues.db`. Other processes may open the
 * same file at the same time.
 *
 * @example
 * const queues = openLocalQueues('.dif', { queues: { load: { maxReceiveCount: 3 } } });
 * await queues.transform.send(JSON.stringify(rawReady));
 * await queues.close();
 */
export function openLocalQueues(dataDir: string, options: LocalQueuesOptions = {}): LocalQueues {
  const { queues: overrides = {}, file = join(dataDir, 'queues.db'), ...shared } = options;
  const db = openSqliteDatabase(file, {
    recovery:
      'It holds the queued and dead-lettered messages of local runs: restore it from a backup, or move it aside (runs in flight are then re-run from the start by the next `dif run`)',
  });
  const queues = {} as Record<QueueName, SqliteQueue>;
  for (const name of QUEUE_NAMES) queues[name] = new SqliteQueue(db, name, { ...shared, ...overrides[name] });
  Object.defineProperty(queues, 'close', {
    enumerable: false,
    value: async (): Promise<void> => {
      if (db.open) db.close();
    },
  });
  return queues as LocalQueues;
}
