import type { LockManager } from '../../ports/RateLimiter';
import { ClosedError, LockLostError } from './errors';
import { LocalLockTable } from './LocalLockTable';

export interface InProcessLockManagerOptions {
  /** Lock state shared with other managers of this process (default: a table of its own). */
  table?: LocalLockTable;
  /** TTL when the caller gives none (default 30 s). */
  defaultTtlMs?: number;
  /** How long to wait for a held lock when the caller gives no `waitMs` (default 30 s). */
  defaultWaitMs?: number;
}

interface Holding {
  controller: AbortController;
  heartbeat: NodeJS.Timeout;
}

/**
 * The local default {@link LockManager}: a mutex per key with a TTL that is extended every third
 * of the TTL while `work` runs. If the lock is lost anyway (the event loop stalled past the TTL
 * and another caller took it), `work`'s signal is aborted with a {@link LockLostError}.
 *
 * `close()` behaves like a worker dying: it stops extending held locks and aborts their work
 * signals without releasing them, so they expire after their TTL.
 *
 * @example
 * const locks = new InProcessLockManager();
 * await locks.withLock(`oauth:${client}:${source}`, async () => refreshToken(), { ttlMs: 10_000, waitMs: 15_000 });
 */
export class InProcessLockManager implements LockManager {
  private readonly table: LocalLockTable;
  private readonly defaultTtlMs: number;
  private readonly defaultWaitMs: number;
  private readonly holdings = new Set<Holding>();
  private closed = false;

  constructor(options: InProcessLockManagerOptions = {}) {
    this.table = options.table ?? new LocalLockTable();
    this.defaultTtlMs = options.defaultTtlMs ?? 30_000;
    this.defaultWaitMs = options.defaultWaitMs ?? 30_000;
  }

  async withLock<T>(
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    options: { ttlMs?: number; waitMs?: number } = {},
  ): Promise<T> {
    if (this.closed) throw new ClosedError('the lock manager');
    const ttlMs = options.ttlMs ?? this.defaultTtlMs;
    const waitMs = options.waitMs ?? this.defaultWaitMs;
    if (!(ttlMs > 0)) throw new RangeError(`lock ${key}: ttlMs must be positive, got ${ttlMs}`);
    const token = Symbol(key);
    await this.table.acquire({ key, token, ttlMs, owner: this }, Math.max(0, waitMs));
    const controller = new AbortController();
    const holding: Holding = {
      controller,
      heartbeat: setInterval(
        () => {
          if (!this.table.extend(key, token, ttlMs)) {
            clearInterval(holding.heartbeat);
            controller.abort(new LockLostError(key));
          }
        },
        Math.min(Math.max(1, Math.floor(ttlMs / 3)), 2_147_483_647),
      ),
    };
    this.holdings.add(holding);
    try {
      return await work(controller.signal);
    } finally {
      clearInterval(holding.heartbeat);
      this.holdings.delete(holding);
      // After close() this worker counts as dead: its locks run out on their own.
      if (!this.closed) this.table.release(key, token);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.table.waitersOf(this)) {
      if (this.table.withdraw(waiter)) waiter.reject(new ClosedError('the lock manager'));
    }
    for (const holding of this.holdings) {
      clearInterval(holding.heartbeat);
      holding.controller.abort(new ClosedError('the lock manager'));
    }
    this.holdings.clear();
  }
}
