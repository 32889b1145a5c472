import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DirectoryObjectStore,
  InProcessLockManager,
  InProcessRateLimiter,
  LocalLockTable,
  LocalRateBudget,
  SqliteQueue,
  SqliteRunStateStore,
  SqliteSecretRecordStore,
  FileKeyring,
  openSqliteDatabase,
} from '../../shared/adapters/local';
import type { LockManager, RateLimiter } from '../../shared/ports';
import {
  describeLockManagerContract,
  describeObjectStoreContract,
  describeQueueContract,
  describeRateLimiterContract,
  describeRunStateContract,
  describeSecretRecordStoreContract,
  describeKeyringContract,
  describeWorkflowContract,
  type TaskOutcome,
} from './suites';
import { LocalWorkflow, TaskFailedError } from '../../shared/adapters/local/LocalWorkflow';

async function tempDir(name: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `dif-contract-${name}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

describeObjectStoreContract('DirectoryObjectStore', async () => {
  const { dir, remove } = await tempDir('lake');
  return { store: new DirectoryObjectStore(join(dir, 'lake')), cleanup: remove };
});

describeQueueContract('SqliteQueue', async ({ maxReceiveCount }) => {
  const { dir, remove } = await tempDir('queue');
  const db = openSqliteDatabase(join(dir, 'queues.db'));
  return {
    queue: new SqliteQueue(db, 'transform', { maxReceiveCount, pollIntervalMs: 25 }),
    cleanup: async () => {
      db.close();
      await remove();
    },
  };
});

describeRunStateContract('SqliteRunStateStore', async () => {
  const { dir, remove } = await tempDir('state');
  const store = SqliteRunStateStore.open(join(dir, 'state.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await remove();
    },
  };
});

describeRateLimiterContract('InProcessRateLimiter', async () => {
  const budget = new LocalRateBudget();
  const opened: RateLimiter[] = [];
  return {
    open: () => {
      const limiter = new InProcessRateLimiter({ budget });
      opened.push(limiter);
      return limiter;
    },
    cleanup: async () => {
      await Promise.all(opened.map((limiter) => limiter.close()));
    },
  };
});

describeLockManagerContract('InProcessLockManager', async () => {
  const table = new LocalLockTable();
  const opened: LockManager[] = [];
  return {
    open: () => {
      const locks = new InProcessLockManager({ table });
      opened.push(locks);
      return locks;
    },
    cleanup: async () => {
      await Promise.all(opened.map((locks) => locks.close()));
    },
  };
});

describeSecretRecordStoreContract('SqliteSecretRecordStore', async () => {
  const { dir, remove } = await tempDir('secrets');
  const store = SqliteSecretRecordStore.inDataDir(dir);
  return {
    store,
    cleanup: async () => {
      store.close();
      await remove();
    },
  };
});

describeKeyringContract('FileKeyring', async () => {
  const { dir, remove } = await tempDir('keyring');
  return { keyring: await FileKeyring.open(join(dir, 'keyring.json')), cleanup: remove };
});

describeWorkflowContract('LocalWorkflow', async () => {
  const workflow = new LocalWorkflow();
  return {
    workflow,
    openTask: async () => {
      const { taskToken, completion } = workflow.openTask();
      const outcome = completion.then(
        (output): TaskOutcome => ({ status: 'succeeded', output }),
        (error: TaskFailedError): TaskOutcome => ({ status: 'failed', error: error.error, cause: error.message }),
      );
      return { taskToken, outcome: () => outcome };
    },
    cleanup: async () => undefined,
  };
});
