import type { Keyring } from './Keyring';
import type { ObjectStore } from './ObjectStore';
import type { Queue, QueueName } from './Queue';
import type { LockManager, RateLimiter } from './RateLimiter';
import type { RunStateStore } from './RunStateStore';
import type { SecretRecordStore } from './SecretRecordStore';
import type { Warehouse } from './Warehouse';
import type { Workflow } from './Workflow';

/** Everything a service handler may touch outside its own process, built once per profile. */
export interface Ports {
  objectStore: ObjectStore;
  queues: Record<QueueName, Queue>;
  runState: RunStateStore;
  secretRecords: SecretRecordStore;
  keyring: Keyring;
  workflow: Workflow;
  warehouse: Warehouse;
  rateLimiter: RateLimiter;
  locks: LockManager;
  close(): Promise<void>;
}
