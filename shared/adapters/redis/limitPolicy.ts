import type { LimitPolicy } from '../../ports';
import { InvalidLimitPolicyError } from './errors';

/** Lease used when a policy gives none: longer than any sane single HTTP request. */
export const DEFAULT_LEASE_MS = 60_000;

/** Default for how long after admission a request is assumed to have reached the API. */
export const DEFAULT_ARRIVAL_BOUND_MS = 500;

/** Rejects policies no limiter can honour, before any of them reaches Redis. */
export function assertValidPolicy(policy: LimitPolicy): void {
  if (!policy.scope) throw new InvalidLimitPolicyError('scope is empty');
  if (policy.limits.length === 0 && policy.concurrency === undefined) {
    throw new InvalidLimitPolicyError(`scope has neither limits nor concurrency`);
  }
  for (const limit of policy.limits) {
    if (!(Number.isInteger(limit.requests) && limit.requests > 0))
      throw new InvalidLimitPolicyError(`requests must be a positive integer, got ${limit.requests}`);
    if (!(Number.isFinite(limit.perMs) && limit.perMs > 0))
      throw new InvalidLimitPolicyError(`perMs must be a positive number, got ${limit.perMs}`);
  }
  if (policy.concurrency !== undefined && !(Number.isInteger(policy.concurrency) && policy.concurrency > 0)) {
    throw new InvalidLimitPolicyError(`concurrency must be a positive integer, got ${policy.concurrency}`);
  }
  if (policy.leaseMs !== undefined && !(Number.isFinite(policy.leaseMs) && policy.leaseMs > 0)) {
    throw new InvalidLimitPolicyError(`leaseMs must be a positive number, got ${policy.leaseMs}`);
  }
}

/** The longest window among the policy's limits (0 without limits). */
export function longestWindowMs(policy: LimitPolicy): number {
  return Math.max(0, ...policy.limits.map((limit) => limit.perMs));
}

/**
 * One worker's share of a fleet budget, for running without Redis: every limit and the
 * concurrency cap divided by the number of workers, rounded down. Returns the reason instead when
 * a share would be zero, because rounding it up to one would let the fleet exceed the limit.
 */
export function splitPolicy(policy: LimitPolicy, workers: number): LimitPolicy | { unsplittable: string } {
  const limits = policy.limits.map((limit) => ({ requests: Math.floor(limit.requests / workers), perMs: limit.perMs }));
  const tooSmall = limits.find((limit) => limit.requests === 0);
  if (tooSmall)
    return {
      unsplittable: `a limit of fewer than ${workers} requests per ${tooSmall.perMs} ms cannot be shared by ${workers} workers without Redis`,
    };
  const concurrency = policy.concurrency === undefined ? undefined : Math.floor(policy.concurrency / workers);
  if (concurrency === 0)
    return {
      unsplittable: `a concurrency of ${policy.concurrency} cannot be shared by ${workers} workers without Redis`,
    };
  return { ...policy, limits, concurrency };
}
