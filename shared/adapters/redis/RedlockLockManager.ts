import type { Redis } from 'ioredis';
import Redlock, { ExecutionError, ResourceLockedError, type ExecutionStats } from 'redlock';
import { LockUnavailableError, type LockManager } from '../../ports';
import { logger } from '../../log';
import { connectRedis, firstConnectAttempt, type RedisConnectionOptions } from './connectRedis';
import { redactRedisUrl } from './redisErrors';

export interface RedlockLockManagerOptions extends RedisConnectionOptions {
  /** Independent Redis nodes (not replicas of each other); a lock needs a majority of them. */
  urls: string[];
  /** Prefix of every lock key. Default `dif:`. */
  keyPrefix?: string;
  /** Lock lifetime when `withLock` gives none (ms); extended while the work runs. Default 30000. */
  defaultTtlMs?: number;
  /** How long `withLock` waits for a held lock when it gives no `waitMs` (ms). Default 30000. */
  defaultWaitMs?: number;
  /** Pause between two attempts to take a held lock (ms). Default 100. */
  retryDelayMs?: number;
}

/**
 * Mutual exclusion across workers with Redlock over independent Redis nodes: a lock is held when
 * a majority of nodes grant it, so losing a minority changes nothing. The lock has a TTL (a dead
 * holder never blocks the fleet for longer) and is extended automatically while `work` runs.
 *
 * @example
 * const locks = new RedlockLockManager({ urls: ['redis://a:6379', 'redis://b:6379', 'redis://c:6379'] });
 * const token = await locks.withLock(`oauth:${client}:${source}`, async () => refreshToken());
 */
export class RedlockLockManager implements LockManager {
  private readonly clients: Redis[];
  private readonly redlock: Redlock;
  private readonly prefix: string;
  private readonly retryDelayMs: number;
  /** Settles when every node has connected or failed once, so a down node votes "no" at once. */
  private readonly connected: Promise<void>;
  /** Signals of work running under a lock, aborted by `close()`: the worker is going away. */
  private readonly running = new Set<AbortController>();

  constructor(private readonly options: RedlockLockManagerOptions) {
    if (options.urls.length === 0)
      throw new Error('RedlockLockManager needs at least one Redis URL (REDIS_URL or redis.urls)');
    this.prefix = options.keyPrefix ?? 'dif:';
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.clients = options.urls.map((url) => connectRedis(url, { ...options, failWhileDisconnected: true }));
    this.connected = Promise.all(
      this.clients.map((client) => firstConnectAttempt(client, options.connectTimeoutMs ?? 2000)),
    ).then(() => undefined);
    // Few default retries: they govern release and extension, which must not stall for long.
    this.redlock = new Redlock(this.clients, {
      retryCount: 2,
      retryDelay: this.retryDelayMs,
      retryJitter: this.retryDelayMs / 2,
    });
  }

  async withLock<T>(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T> {
    const ttlMs = Math.ceil(options.ttlMs ?? this.options.defaultTtlMs ?? 30_000);
    if (ttlMs < 300) throw new RangeError(`lock ttlMs must be at least 300 ms, got ${ttlMs} (key ${key})`);
    const waitMs = options.waitMs ?? this.options.defaultWaitMs ?? 30_000;
    await this.connected;
    let started = false;
    let outcome: { value: T } | undefined;
    try {
      return await this.redlock.using(
        [`${this.prefix}lock:${key}`],
        ttlMs,
        {
          retryCount: Math.ceil(waitMs / this.retryDelayMs),
          retryDelay: this.retryDelayMs,
          retryJitter: this.retryDelayMs / 2,
          // Extend once a third of the lifetime has passed: two thirds stay as margin for a busy
          // event loop or a slow node (redlock needs the threshold ≤ ttl - 100).
          automaticExtensionThreshold: ttlMs - Math.max(100, Math.floor(ttlMs / 3)),
        },
        async (lockSignal) => {
          started = true;
          const controller = new AbortController();
          const onLost = (): void =>
            controller.abort(lockSignal.error ?? new Error(`lock ${key} was lost: it could not be extended`));
          lockSignal.addEventListener('abort', onLost, { once: true });
          this.running.add(controller);
          try {
            const value = await work(controller.signal);
            outcome = { value };
            return value;
          } finally {
            lockSignal.removeEventListener('abort', onLost);
            this.running.delete(controller);
          }
        },
      );
    } catch (error) {
      if (outcome) {
        // The work is done; the lock simply expires by its TTL if the release did not reach a quorum.
        logger.warn('lock release failed; it expires by its TTL', { key, ttlMs, error: (error as Error).message });
        return outcome.value;
      }
      if (!started && (error instanceof ExecutionError || error instanceof ResourceLockedError)) {
        throw new LockUnavailableError(key, await this.explain(error, waitMs, ttlMs));
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    for (const controller of this.running)
      controller.abort(new Error('lock manager closed while work was running under a lock'));
    await Promise.all(
      this.clients.map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
  }

  /** Says whether another worker holds the lock or too few nodes answered. */
  private async explain(error: Error, waitMs: number, ttlMs: number): Promise<string> {
    const attempts = error instanceof ExecutionError ? error.attempts : [];
    const last: ExecutionStats | undefined = attempts.length > 0 ? await attempts[attempts.length - 1] : undefined;
    if (!last) return error.message;
    const unreachable = [...last.votesAgainst.entries()].filter(
      ([, reason]) => !(reason instanceof ResourceLockedError),
    );
    if (unreachable.length === 0 || last.membershipSize - unreachable.length >= last.quorumSize) {
      return `another worker held it for the whole ${waitMs} ms wait. If that worker died, the lock frees itself within ${ttlMs} ms; otherwise raise waitMs.`;
    }
    const nodes = unreachable
      .map(([client, reason]) => `${this.urlOf(client as Redis)} (${reason.message})`)
      .join(', ');
    return `only ${last.membershipSize - unreachable.length} of ${last.membershipSize} Redis nodes answered and ${last.quorumSize} are needed; unreachable: ${nodes}. Check that these nodes are running and reachable.`;
  }

  private urlOf(client: Redis): string {
    const index = this.clients.indexOf(client);
    return index >= 0 ? redactRedisUrl(this.options.urls[index]!) : 'unknown node';
  }
}
