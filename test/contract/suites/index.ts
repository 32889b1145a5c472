export { describeObjectStoreContract, type ObjectStoreFixture } from './objectStore.contract';
export {
  describeQueueContract,
  type QueueFixture,
  type QueueFixtureOptions,
  type QueueContractOptions,
} from './queue.contract';
export { describeRunStateContract, type RunStateFixture } from './runState.contract';
export { describeRateLimiterContract, type RateLimiterFixture } from './rateLimiter.contract';
export { describeLockManagerContract, type LockManagerFixture } from './lockManager.contract';
export { eventually, sleep } from './timing';
export { deferred } from './deferred';
export { describeSecretRecordStoreContract, type SecretRecordStoreFixture } from './secretRecordStore.contract';
export { describeKeyringContract, type KeyringFixture } from './keyring.contract';
export {
  describeWorkflowContract,
  type WorkflowFixture,
  type TaskOutcome,
  type WorkflowContractOptions,
} from './workflow.contract';
