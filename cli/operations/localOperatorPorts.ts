import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../shared/config';
import { openLocalQueues } from '../../shared/adapters/local/openLocalQueues';
import { SqliteRunStateStore } from '../../shared/adapters/local/SqliteRunStateStore';
import { CredentialStore } from '../../services/credentials';
import { openLocalPorts } from '../localRuntime/openLocalPorts';
import type { OperatorPorts } from './OperatorPorts';

/** SQLite's name for a database that lives in memory and vanishes on close. */
const IN_MEMORY = ':memory:';

/**
 * The local profile's openers, on the data directory (docs/pipeline-contracts.md). Reading a
 * data directory that has no `state.db` or `queues.db` yet shows nothing rather than creating
 * files: an empty in-memory database stands in.
 */
export const localOperatorPorts: OperatorPorts = {
  where: ({ dataDir }) => dataDir,

  async openRunState({ dataDir }) {
    const file = join(dataDir, 'state.db');
    return SqliteRunStateStore.open(existsSync(file) ? file : IN_MEMORY);
  },

  async openQueues({ dataDir }) {
    const file = join(dataDir, 'queues.db');
    return openLocalQueues(dataDir, { file: existsSync(file) ? file : IN_MEMORY });
  },

  async openStageContext({ dataDir, configDir }, { maxReceiveCount }) {
    const config = loadConfig(configDir);
    const ports = await openLocalPorts({ dataDir, databaseUrl: process.env.DATABASE_URL, redisUrl: process.env.REDIS_URL, maxReceiveCount });
    const secrets = new CredentialStore({ records: ports.secretRecords, keyring: ports.keyring, locks: ports.locks });
    return { ctx: { config, ports, secrets, now: () => new Date() }, close: () => ports.close() };
  },
};
