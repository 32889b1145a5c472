import { createHash } from 'node:crypto';

/** The Redis keys holding one scope's shared budget. */
export interface ScopeKeys {
  /** ZSET permitId → end of the request (lease expiry while in flight, release time after). */
  log: string;
  /** ZSET permitId → lease expiry: requests in flight (the concurrency semaphore). */
  leases: string;
  /** ZSET waiterId → ticket number: the fair FIFO queue of waiting workers. */
  queue: string;
  /** ZSET waiterId → when the waiter counts as gone if it has not come back. */
  queueExpiry: string;
  /** Counter handing out queue tickets. */
  ticket: string;
  /** Present (with a TTL) while the scope is paused by a back-off. */
  pause: string;
  /** Present (with a TTL) while the scope runs at a fraction of its limits (adaptive mode). */
  slow: string;
  /** Pub/sub channel told about releases, so waiters wake without polling. */
  channel: string;
}

/**
 * Names a scope's keys. The scope is hashed because it may be a token ("per token" limits), and
 * a credential must never appear in Redis keys; the hash sits in a `{hash tag}` so every key of
 * a scope lands in the same Redis Cluster slot and one Lua script can touch them all.
 */
export function scopeKeys(prefix: string, scope: string): ScopeKeys {
  const tag = createHash('sha256').update(scope).digest('hex').slice(0, 32);
  const base = `${prefix}rl:{${tag}}`;
  return {
    log: `${base}:log`,
    leases: `${base}:leases`,
    queue: `${base}:queue`,
    queueExpiry: `${base}:queue-expiry`,
    ticket: `${base}:ticket`,
    pause: `${base}:pause`,
    slow: `${base}:slow`,
    channel: `${base}:released`,
  };
}

/** The key order the acquire script expects (KEYS[1..7]). */
export function acquireKeyList(keys: ScopeKeys): string[] {
  return [keys.log, keys.leases, keys.queue, keys.queueExpiry, keys.ticket, keys.pause, keys.slow];
}
