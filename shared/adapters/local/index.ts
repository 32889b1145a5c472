export { DirectoryObjectStore } from './DirectoryObjectStore';
export { SqliteQueue, type SqliteQueueOptions } from './SqliteQueue';
export { openLocalQueues, type LocalQueues, type LocalQueuesOptions } from './openLocalQueues';
export { SqliteRunStateStore, type SqliteRunStateOptions } from './SqliteRunStateStore';
export { InProcessRateLimiter, type InProcessRateLimiterOptions } from './InProcessRateLimiter';
export { LocalRateBudget } from './LocalRateBudget';
export { InProcessLockManager, type InProcessLockManagerOptions } from './InProcessLockManager';
export { LocalLockTable } from './LocalLockTable';
export { openSqliteDatabase, type OpenSqliteOptions, type SqliteDatabase } from './openSqliteDatabase';
export {
  ClosedError,
  ForeignObjectUriError,
  InvalidLimitPolicyError,
  InvalidObjectKeyError,
  ItemIdentityMissingError,
  LockLostError,
  RunNotFoundError,
} from './errors';
// Owned by the credentials and runtime engineers; re-exported so this index is the module's one face.
export { FileKeyring, KeyringFileError, type FileKeyringOptions } from './FileKeyring';
export { SqliteSecretRecordStore } from './SqliteSecretRecordStore';
export { LocalWorkflow, TaskFailedError } from './LocalWorkflow';
