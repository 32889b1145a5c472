import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { OperatorPorts } from './OperatorPorts';

/** SQLite's name for a database that lives in memory and vanishes on close. */
const IN_MEMORY = ':memory:';

/**
 * The local profile's openers, on the data directory (docs/pipeline-contracts.md). Reading a
 * data directory that has no `state.db` or `queues.db` yet shows nothing rather than creating
 * files: an empty in-memory database stands in. Adapters load when a port is opened, so registering
 * the commands (`dif --help`) loads no SQLite.
 */
export const localOperatorPorts: OperatorPorts = {
  where: ({ dataDir }) => dataDir,

  async openRunState({ dataDir }) {
    const { SqliteRunStateStore } = await import('../../shared/adapters/local/SqliteRunStateStore');
    const file = join(dataDir, 'state.db');
    return SqliteRunStateStore.open(existsSync(file) ? file : IN_MEMORY);
  },

  async openQueues({ dataDir }) {
    const { openLocalQueues } = await import('../../shared/adapters/local/openLocalQueues');
    const file = join(dataDir, 'queues.db');
    return openLocalQueues(dataDir, { file: existsSync(file) ? file : IN_MEMORY });
  },

  async liveRunIds({ dataDir }) {
    const { DataDirLock } = await import('../../profiles/local/DataDirLock');
    const current = DataDirLock.inspect(dataDir);
    if (!current?.alive) return new Set<string>();
    // A live holder that has not named its run yet (it is starting): nothing can be told.
    return current.holder.runId ? new Set([current.holder.runId]) : undefined;
  },

  async openStageContext({ dataDir, configDir }, { maxReceiveCount }) {
    const { openLocalContext } = await import('../../profiles/local/openLocalContext');
    const ctx = await openLocalContext({
      configDir,
      dataDir,
      databaseUrl: process.env.DATABASE_URL,
      redisUrl: process.env.REDIS_URL,
      maxReceiveCount,
      lock: { command: 'dif dlq replay --drain' },
    });
    return { ctx, close: () => ctx.ports.close() };
  },
};
