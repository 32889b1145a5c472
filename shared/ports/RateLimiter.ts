/** At most `requests` requests in any window of `perMs` milliseconds. */
export interface RateLimit {
  requests: number;
  perMs: number;
}

export interface LimitPolicy {
  /** Who shares the budget: an app id, token, account or property, already resolved. */
  scope: string;
  limits: RateLimit[];
  /** Most requests in flight at once for the scope across every worker. */
  concurrency?: number;
  /** How long a concurrency slot is held if its holder dies without releasing it. */
  leaseMs?: number;
}

export interface Permit {
  /** Frees the concurrency slot. Idempotent. */
  release(): Promise<void>;
  /**
   * The API's answer began, so the request reached it: windows may count it from now rather than
   * until its release (a long download then costs no window budget). Optional; release implies it.
   */
  arrived?(): void;
}

/**
 * A rate budget shared by every worker that calls the same API scope.
 *
 * Adapters: `InProcessRateLimiter` (local default), `RedisRateLimiter` (fleet-wide).
 */
export interface RateLimiter {
  /** Waits until a request may start under every limit and the concurrency cap. */
  acquire(policy: LimitPolicy, signal?: AbortSignal): Promise<Permit>;
  /** Pauses the whole scope (a 429, Retry-After or "limit reached" seen by any worker). */
  backOff(scope: string, forMs: number): Promise<void>;
  /**
   * Runs the scope at `factor` (0 < factor ≤ 1) of its limits for `forMs`, for every worker: the
   * API said its quota is nearly used (a usage header above a threshold), before any 429.
   */
  slowDown?(scope: string, factor: number, forMs: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Mutual exclusion across workers (one OAuth refresh per credential, one extraction per
 * partition). Locks carry a TTL and are extended while `work` runs.
 *
 * Adapters: `InProcessLockManager` (local default), `RedlockLockManager` (Redis).
 */
export interface LockManager {
  withLock<T>(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    options?: { ttlMs?: number; waitMs?: number },
  ): Promise<T>;
  /**
   * Acts like the worker dying: stops extending held locks and aborts their work signals without
   * releasing them, so other workers get them once their TTL runs out.
   */
  close(): Promise<void>;
}

export class LockUnavailableError extends Error {
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`could not take lock ${key}: ${detail}`);
    this.name = 'LockUnavailableError';
  }
}
