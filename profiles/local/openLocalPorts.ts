import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Ports } from '../../shared/ports';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { FileKeyring } from '../../shared/adapters/local/FileKeyring';
import { InProcessLockManager } from '../../shared/adapters/local/InProcessLockManager';
import { InProcessRateLimiter } from '../../shared/adapters/local/InProcessRateLimiter';
import { LocalWorkflow } from '../../shared/adapters/local/LocalWorkflow';
import { openLocalQueues, type LocalQueues } from '../../shared/adapters/local/openLocalQueues';
import { SqliteRunStateStore } from '../../shared/adapters/local/SqliteRunStateStore';
import { SqliteSecretRecordStore } from '../../shared/adapters/local/SqliteSecretRecordStore';
import { redactRunStateWrites } from '../../shared/runState/redactRunStateWrites';
import { openLocalWarehouse } from './openLocalWarehouse';
import { DataDirLock } from './DataDirLock';
import { logger } from '../../shared/log';
import type { RunStateStore } from '../../shared/ports';

export interface LocalPortsOptions {
  dataDir: string;
  /** A PostgreSQL server instead of the embedded PGlite warehouse. */
  databaseUrl?: string;
  /** Redis for rate limits and locks shared with other local workers. */
  redisUrl?: string;
  /** Queue redrive setting (the local stand-in for the SQS redrive policy). */
  maxReceiveCount?: number;
  /**
   * The data directory is held by one process at a time (profiles/local/DataDirLock.ts):
   * `command` names this one to others; `waitMs` waits for a live holder instead of failing.
   */
  lock?: { command: string; waitMs?: number };
}

/** What a process that died left behind in the data directory, recovered when the lock was taken. */
export interface RecoveredLeftovers {
  /** Deliveries that were in flight, made visible at once. */
  messages: number;
  /** Runs that were still `running`, now `abandoned`. */
  abandonedRuns: string[];
}

export type LocalPorts = Ports & {
  objectStore: DirectoryObjectStore;
  workflow: LocalWorkflow;
  lock: DataDirLock;
  recovered: RecoveredLeftovers;
};

/**
 * The `local` profile: every port on the data directory (docs/pipeline-contracts.md), with a
 * real PostgreSQL (`DATABASE_URL`) or Redis (`REDIS_URL`) swapped in when given.
 *
 * Holds the data directory's lock first (a {@link DataDirBusyError} if another live process
 * holds it). Holding it alone, whatever is in flight in the queues or `running` in run state was
 * left by a process that died: the messages are made visible at once and the runs marked
 * `abandoned`.
 */
export async function openLocalPorts(options: LocalPortsOptions): Promise<LocalPorts> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const lock = await DataDirLock.acquire(dataDir, options.lock ?? { command: 'the local runtime' });
  try {
    return await openPortsHolding(lock, options);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openPortsHolding(lock: DataDirLock, options: LocalPortsOptions): Promise<LocalPorts> {
  const { dataDir } = options;
  const objectStore = new DirectoryObjectStore(join(dataDir, 'lake'));
  const queues = openLocalQueues(dataDir, { maxReceiveCount: options.maxReceiveCount ?? 5 });
  const runState = redactRunStateWrites(SqliteRunStateStore.open(join(dataDir, 'state.db')));
  const recovered = await recoverLeftovers(queues, runState);
  const secretRecords = SqliteSecretRecordStore.inDataDir(dataDir);
  const keyring = await FileKeyring.open(join(dataDir, 'keyring.json'));
  const warehouse = await openLocalWarehouse(dataDir, options.databaseUrl, objectStore);
  // ioredis loads only when REDIS_URL asks for it.
  const limiting = options.redisUrl
    ? (await import('../../shared/adapters/redis')).createRedisLimiting({ urls: [options.redisUrl] })
    : { rateLimiter: new InProcessRateLimiter(), locks: new InProcessLockManager() };
  return {
    objectStore,
    queues,
    runState,
    secretRecords,
    keyring,
    workflow: new LocalWorkflow(),
    warehouse,
    rateLimiter: limiting.rateLimiter,
    locks: limiting.locks,
    lock,
    recovered,
    async close() {
      await Promise.allSettled([
        queues.close(),
        runState.close(),
        secretRecords.close(),
        warehouse.close(),
        limiting.rateLimiter.close(),
        limiting.locks.close(),
      ]);
      // Last: the next process may open PGlite only once this one has closed it.
      await lock.release();
    },
  };
}

/** What a dead holder left: deliveries in flight (made visible now) and runs still `running` (abandoned). */
async function recoverLeftovers(queues: LocalQueues, runState: RunStateStore): Promise<RecoveredLeftovers> {
  const messages = queues.transform.recoverInFlight() + queues.load.recoverInFlight();
  if (messages > 0) logger.warn('redelivering messages a process that died had in flight', { messages });
  const finishedAt = new Date().toISOString();
  const abandonedRuns: string[] = [];
  for (const run of await runState.listRuns(100)) {
    if (run.status !== 'running') continue;
    await runState.updateRun(run.runId, { status: 'abandoned', finishedAt: run.heartbeatAt ?? finishedAt });
    abandonedRuns.push(run.runId);
    logger.warn('a run whose process died is marked abandoned', { abandonedRunId: run.runId });
  }
  return { messages, abandonedRuns };
}
