import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LimitPolicy, Permit, RateLimiter } from '../../ports';
import { logger } from '../../log';
import { connectRedis, type RedisConnectionOptions } from './connectRedis';
import { AcquireAbortedError, RedisUnavailableError } from './errors';
import { FallbackRateLimiter } from './FallbackRateLimiter';
import {
  acquireScript,
  backOffScript,
  leaveQueueScript,
  releaseScript,
  seedLogScript,
  slowDownScript,
} from './limiterScripts';
import {
  assertValidPolicy,
  DEFAULT_ARRIVAL_BOUND_MS,
  DEFAULT_LEASE_MS,
  longestWindowMs,
  splitPolicy,
} from './limitPolicy';
import { isRedisUnavailable, redactRedisUrl } from './redisErrors';
import { ReleaseNotifier } from './ReleaseNotifier';
import { acquireKeyList, scopeKeys, type ScopeKeys } from './scopeKeys';

/** What the limiter does when Redis cannot be reached. */
export type OnRedisDown = 'fail' | 'fallback';

export interface RedisRateLimiterOptions extends RedisConnectionOptions {
  /** Redis URL, e.g. `redis://:password@host:6379/0`. */
  url: string;
  /** Prefix of every key, so several deployments can share one Redis. Default `dif:`. */
  keyPrefix?: string;
  /**
   * `'fail'` (default): acquire/backOff throw `RedisUnavailableError`.
   * `'fallback'`: this worker continues alone on `1 / workerCount` of every limit.
   */
  onRedisDown?: OnRedisDown;
  /** How many workers may run at once; the fallback divides each budget by it. Default 1. */
  workerCount?: number;
  /** How long a worker stays on the fallback before trying Redis again (ms). Default 5000. */
  redisRetryMs?: number;
  /** A waiter that has not come back this long after its expected turn leaves the queue (ms). Default 2000. */
  queueGraceMs?: number;
  /** Longest sleep between two decisions, in case a release message was lost (ms). Default 1000. */
  maxPollMs?: number;
  /**
   * Longest time between admitting a request and the API receiving it (ms). A request counts
   * against its windows until it is released or until this bound, whichever comes first. Default
   * 500: enough for a connect and TLS handshake; raise it for slow networks.
   */
  arrivalBoundMs?: number;
  /** Adaptive mode: `reportUsage` at or above `threshold` runs the scope at `factor` of its limits for `forMs`. */
  adaptive?: { threshold: number; factor: number; forMs: number };
}

interface Waiter {
  id: string;
  policy: LimitPolicy;
  signal?: AbortSignal;
  aborted: boolean;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  detach: () => void;
}

/** Waiters of one scope in this process; only the head talks to Redis (one ticket per worker). */
interface Lane {
  keys: ScopeKeys;
  waiters: Waiter[];
  pumping: boolean;
}

/**
 * A rate budget shared by every worker through Redis: several sliding-window limits and a
 * concurrency cap with leases per scope, decided by one Lua script per attempt (one round trip),
 * with a fair FIFO queue across workers and a fleet-wide back-off.
 *
 * @example
 * const limiter = new RedisRateLimiter({ url: process.env.REDIS_URL!, onRedisDown: 'fallback', workerCount: 8 });
 * const permit = await limiter.acquire({ scope: 'graph:app-42', limits: [{ requests: 20, perMs: 1000 }], concurrency: 4 });
 * try { await callApi(); } finally { await permit.release(); }
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly notifier: ReleaseNotifier;
  private readonly fallback: FallbackRateLimiter;
  private readonly lanes = new Map<string, Lane>();
  private readonly prefix: string;
  private readonly safeUrl: string;
  private fallbackUntil = 0;
  /** Scopes that admitted requests on the fallback, not yet reported to Redis. */
  private readonly unreported = new Set<string>();
  private closed = false;

  constructor(private readonly options: RedisRateLimiterOptions) {
    this.prefix = options.keyPrefix ?? 'dif:';
    this.safeUrl = redactRedisUrl(options.url);
    this.fallback = new FallbackRateLimiter({ arrivalBoundMs: options.arrivalBoundMs });
    this.redis = connectRedis(options.url, options);
    this.subscriber = connectRedis(options.url, { ...options, commandTimeoutMs: undefined });
    this.notifier = new ReleaseNotifier(this.subscriber);
  }

  async acquire(policy: LimitPolicy, signal?: AbortSignal): Promise<Permit> {
    assertValidPolicy(policy);
    if (this.closed) throw new Error('rate limiter is closed');
    if (signal?.aborted) throw new AcquireAbortedError('a rate-limit permit');
    if (Date.now() < this.fallbackUntil) return await this.acquireFallback(policy, signal);
    const lane = this.lane(policy.scope);
    return await new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        id: randomUUID(),
        policy,
        signal,
        aborted: false,
        resolve,
        reject,
        detach: () => undefined,
      };
      if (signal) {
        const onAbort = (): void => {
          waiter.aborted = true;
          const index = lane.waiters.indexOf(waiter);
          if (index > 0) {
            lane.waiters.splice(index, 1);
            reject(new AcquireAbortedError('a rate-limit permit'));
          } else if (index === 0) this.notifier.notify(lane.keys.channel);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      lane.waiters.push(waiter);
      void this.pump(lane);
    });
  }

  async backOff(scope: string, forMs: number): Promise<void> {
    if (!(forMs > 0)) return;
    await this.fallback.backOff(scope, forMs);
    try {
      await backOffScript.run(this.redis, [scopeKeys(this.prefix, scope).pause], [Math.ceil(forMs)]);
    } catch (error) {
      this.onUnavailable(error, 'pausing a rate-limit scope');
    }
  }

  /**
   * Runs the scope at `factor` (0–1) of its limits for `forMs`, for every worker. The slowest
   * factor in force wins; the scope recovers when it expires.
   */
  async slowDown(scope: string, factor: number, forMs: number): Promise<void> {
    if (!(factor > 0 && factor <= 1)) throw new RangeError(`slow-down factor must be in (0, 1], got ${factor}`);
    try {
      await slowDownScript.run(this.redis, [scopeKeys(this.prefix, scope).slow], [factor, Math.ceil(forMs)]);
    } catch (error) {
      this.onUnavailable(error, 'slowing a rate-limit scope');
    }
  }

  /**
   * Adaptive mode: feed the API's usage signal (e.g. an `x-app-usage` header, as a fraction of
   * the quota used). At or above the configured threshold the scope slows down for everyone.
   */
  async reportUsage(scope: string, usedFraction: number): Promise<void> {
    const adaptive = this.options.adaptive;
    if (adaptive && usedFraction >= adaptive.threshold) await this.slowDown(scope, adaptive.factor, adaptive.forMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const lane of this.lanes.values()) {
      for (const waiter of lane.waiters.splice(0))
        waiter.reject(new Error('rate limiter closed while waiting for a permit'));
    }
    await this.notifier.close();
    await this.fallback.close();
    await Promise.all([quit(this.redis), quit(this.subscriber)]);
  }

  private lane(scope: string): Lane {
    let lane = this.lanes.get(scope);
    if (!lane) {
      lane = { keys: scopeKeys(this.prefix, scope), waiters: [], pumping: false };
      this.lanes.set(scope, lane);
    }
    return lane;
  }

  /** Serves the lane's waiters in order, one Redis decision at a time. */
  private async pump(lane: Lane): Promise<void> {
    if (lane.pumping) return;
    lane.pumping = true;
    try {
      while (lane.waiters.length > 0 && !this.closed) {
        const head = lane.waiters[0]!;
        if (head.aborted) {
          lane.waiters.shift();
          head.reject(new AcquireAbortedError('a rate-limit permit'));
          leaveQueueScript
            .run(this.redis, [lane.keys.queue, lane.keys.queueExpiry], [head.id, lane.keys.channel])
            .catch(() => undefined);
          continue;
        }
        await this.notifier.subscribe(lane.keys.channel).catch(() => undefined);
        const generation = this.notifier.generation(lane.keys.channel);
        let waitMs: number;
        try {
          await this.reportFallbackRequests(lane, head.policy);
          waitMs = await this.decide(lane, head);
        } catch (error) {
          this.failLane(lane, error);
          return;
        }
        if (waitMs === 0) {
          lane.waiters.shift();
          head.detach();
          const permit = this.redisPermit(lane.keys, head);
          if (!head.aborted) head.resolve(permit);
          else {
            // Aborted while its admission was in flight: hand the slot straight back.
            head.reject(new AcquireAbortedError('a rate-limit permit'));
            void permit.release().catch(() => undefined);
          }
        } else if (this.notifier.generation(lane.keys.channel) === generation) {
          await this.notifier.sleep(lane.keys.channel, Math.min(waitMs, this.options.maxPollMs ?? 1000));
        }
      }
    } finally {
      lane.pumping = false;
    }
  }

  /** One round trip: 0 when admitted, otherwise how long to wait before asking again. */
  private async decide(lane: Lane, waiter: Waiter): Promise<number> {
    const { policy } = waiter;
    const args: Array<string | number> = [
      waiter.id,
      leaseOf(policy),
      policy.concurrency ?? 0,
      this.options.queueGraceMs ?? 2000,
      this.options.arrivalBoundMs ?? DEFAULT_ARRIVAL_BOUND_MS,
      policy.limits.length,
      ...policy.limits.flatMap((limit) => [limit.requests, limit.perMs]),
    ];
    const [admitted, waitMs] = (await acquireScript.run(this.redis, acquireKeyList(lane.keys), args)) as [
      number,
      number,
    ];
    return admitted === 1 ? 0 : waitMs;
  }

  /** After an outage, puts what this worker sent on its fallback into the shared log first. */
  private async reportFallbackRequests(lane: Lane, policy: LimitPolicy): Promise<void> {
    if (!this.unreported.has(policy.scope)) return;
    const ends = this.fallback.takeRecentEnds(policy.scope);
    if (ends.length > 0) {
      const keyTtlMs = Math.ceil(2 * longestWindowMs(policy) + leaseOf(policy));
      await seedLogScript.run(
        this.redis,
        [lane.keys.log],
        [keyTtlMs, ...ends.flatMap((e) => [`fallback:${e.id}`, Math.round(e.inMs)])],
      );
    }
    this.unreported.delete(policy.scope);
  }

  private redisPermit(keys: ScopeKeys, waiter: Waiter): Permit {
    const keyTtlMs = Math.ceil(
      2 * longestWindowMs(waiter.policy) + leaseOf(waiter.policy) + (this.options.queueGraceMs ?? 2000),
    );
    let released: Promise<void> | undefined;
    return {
      release: () => {
        released ??= releaseScript.run(this.redis, [keys.log, keys.leases], [waiter.id, keys.channel, keyTtlMs]).then(
          () => undefined,
          (error: unknown) => {
            if (!isRedisUnavailable(error)) throw error;
            // The lease expires on its own; nothing is over-admitted meanwhile, only held longer.
            logger.warn('could not release a rate-limit permit; its slot returns when the lease expires', {
              redis: this.safeUrl,
              leaseMs: leaseOf(waiter.policy),
              error: (error as Error).message,
            });
          },
        );
        return released;
      },
    };
  }

  /** Redis failed while the lane's head was deciding: fail or move every waiter to the fallback. */
  private failLane(lane: Lane, error: unknown): void {
    const waiters = lane.waiters.splice(0);
    let failure: Error | undefined;
    try {
      this.onUnavailable(error, 'acquiring a rate-limit permit');
    } catch (thrown) {
      failure = thrown as Error;
    }
    for (const waiter of waiters) {
      waiter.detach();
      if (failure) waiter.reject(failure);
      else this.acquireFallback(waiter.policy, waiter.signal).then(waiter.resolve, waiter.reject);
    }
  }

  /** Throws the right error for a failed Redis call, or switches this worker to the fallback. */
  private onUnavailable(error: unknown, operation: string): void {
    if (!isRedisUnavailable(error)) throw error;
    if ((this.options.onRedisDown ?? 'fail') === 'fail')
      throw new RedisUnavailableError(this.safeUrl, operation, { cause: error });
    if (Date.now() >= this.fallbackUntil) {
      logger.warn('Redis unavailable: rate limits fall back to this worker’s share of each budget', {
        redis: this.safeUrl,
        workerCount: this.options.workerCount ?? 1,
        retryInMs: this.options.redisRetryMs ?? 5000,
        error: (error as Error).message,
      });
    }
    this.fallbackUntil = Date.now() + (this.options.redisRetryMs ?? 5000);
  }

  private async acquireFallback(policy: LimitPolicy, signal?: AbortSignal): Promise<Permit> {
    const workers = this.options.workerCount ?? 1;
    const share = splitPolicy(policy, workers);
    if ('unsplittable' in share) {
      throw new RedisUnavailableError(this.safeUrl, 'acquiring a rate-limit permit', {
        cause: 'no fallback possible',
        hint: `The fallback cannot help: ${share.unsplittable}. Restore Redis, or lower workerCount.`,
      });
    }
    this.unreported.add(policy.scope);
    return await this.fallback.acquire(share, signal);
  }
}

function leaseOf(policy: LimitPolicy): number {
  return Math.ceil(policy.leaseMs ?? DEFAULT_LEASE_MS);
}

async function quit(redis: Redis): Promise<void> {
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}
