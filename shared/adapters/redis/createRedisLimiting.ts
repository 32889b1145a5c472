import type { LockManager, RateLimiter } from '../../ports';
import { RedisRateLimiter, type OnRedisDown } from './RedisRateLimiter';
import { RedlockLockManager } from './RedlockLockManager';

export interface RedisLimitingOptions {
  /**
   * Redis URLs. The rate limiter uses the first; locks use all of them as independent Redlock
   * nodes (use 1, or 3+ for a quorum that survives a lost node).
   */
  urls: string[];
  /** Prefix of every key. Default `dif:`. */
  keyPrefix?: string;
  /** `'fail'` (default) or `'fallback'` to each worker's share of the budget. */
  onRedisDown?: OnRedisDown;
  /** Workers sharing each budget; the fallback divides limits by it. Default 1. */
  workerCount?: number;
  /** Default lock TTL (ms), extended while work runs. Default 30000. */
  lockTtlMs?: number;
  /** Default wait for a held lock (ms). Default 30000. */
  lockWaitMs?: number;
  /** Adaptive slow-down, see `RedisRateLimiter.reportUsage`. */
  adaptive?: { threshold: number; factor: number; forMs: number };
}

/** The limiter and lock manager the runtime installs when REDIS_URL is set. */
export interface RedisLimiting {
  rateLimiter: RedisRateLimiter & RateLimiter;
  locks: LockManager;
  close(): Promise<void>;
}

/**
 * Builds the fleet-wide rate limiter and lock manager on Redis.
 *
 * @example
 * const { rateLimiter, locks, close } = createRedisLimiting({
 *   urls: process.env.REDIS_URL!.split(','), onRedisDown: 'fallback', workerCount: 8,
 * });
 */
export function createRedisLimiting(options: RedisLimitingOptions): RedisLimiting {
  const [first] = options.urls;
  if (!first)
    throw new Error(
      'createRedisLimiting needs at least one Redis URL: set REDIS_URL (comma-separated for several lock nodes)',
    );
  const rateLimiter = new RedisRateLimiter({
    url: first,
    keyPrefix: options.keyPrefix,
    onRedisDown: options.onRedisDown,
    workerCount: options.workerCount,
    adaptive: options.adaptive,
  });
  const locks = new RedlockLockManager({
    urls: options.urls,
    keyPrefix: options.keyPrefix,
    defaultTtlMs: options.lockTtlMs,
    defaultWaitMs: options.lockWaitMs,
  });
  return {
    rateLimiter,
    locks,
    close: async () => {
      await Promise.all([rateLimiter.close(), locks.close()]);
    },
  };
}
