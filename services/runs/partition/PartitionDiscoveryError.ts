import { isPermanent } from '../../../shared/runtime/errors';

/**
 * Discovering a stream's partitions failed and run state holds no earlier discovery to plan
 * instead. Permanent when its cause is (a refused login, a bad field); otherwise the Plan state
 * may retry it (`Plan.Transient`).
 */
export class PartitionDiscoveryError extends Error {
  readonly code: string | undefined;

  constructor(target: { client: string; source: string; stream: string }, cause: unknown) {
    super(
      `discovering the partitions of ${target.client}/${target.source}/${target.stream} failed, and no earlier discovery is recorded to plan instead: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.name = 'PartitionDiscoveryError';
    // A permanent cause keeps its code, so Plan fails at once instead of retrying.
    this.code = isPermanent(cause) ? 'Plan.Discovery' : undefined;
  }
}
