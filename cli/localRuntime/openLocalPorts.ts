import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Ports } from '../../shared/ports';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { FileKeyring } from '../../shared/adapters/local/FileKeyring';
import { InProcessLockManager } from '../../shared/adapters/local/InProcessLockManager';
import { InProcessRateLimiter } from '../../shared/adapters/local/InProcessRateLimiter';
import { LocalWorkflow } from '../../shared/adapters/local/LocalWorkflow';
import { openLocalQueues } from '../../shared/adapters/local/openLocalQueues';
import { SqliteRunStateStore } from '../../shared/adapters/local/SqliteRunStateStore';
import { SqliteSecretRecordStore } from '../../shared/adapters/local/SqliteSecretRecordStore';
import { openLocalWarehouse } from './openLocalWarehouse';

export interface LocalPortsOptions {
  dataDir: string;
  /** A PostgreSQL server instead of the embedded PGlite warehouse. */
  databaseUrl?: string;
  /** Redis for rate limits and locks shared with other local workers. */
  redisUrl?: string;
  /** Queue redrive setting (the local stand-in for the SQS redrive policy). */
  maxReceiveCount?: number;
}

export type LocalPorts = Ports & { workflow: LocalWorkflow };

/**
 * The `local` profile: every port on the data directory (docs/pipeline-contracts.md), with a
 * real PostgreSQL (`DATABASE_URL`) or Redis (`REDIS_URL`) swapped in when given.
 */
export async function openLocalPorts(options: LocalPortsOptions): Promise<LocalPorts> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true });
  const objectStore = new DirectoryObjectStore(join(dataDir, 'lake'));
  const queues = openLocalQueues(dataDir, { maxReceiveCount: options.maxReceiveCount ?? 5 });
  const runState = SqliteRunStateStore.open(join(dataDir, 'state.db'));
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
    async close() {
      await Promise.allSettled([
        queues.close(),
        runState.close(),
        secretRecords.close(),
        warehouse.close(),
        limiting.rateLimiter.close(),
        limiting.locks.close(),
      ]);
    },
  };
}
