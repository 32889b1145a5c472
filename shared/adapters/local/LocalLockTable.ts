import { LockUnavailableError } from '../../ports/RateLimiter';

/** setTimeout fires at once for longer delays. */
const MAX_TIMER_MS = 2_147_483_647;

/** One caller waiting for a key; `owner` lets a closing manager cancel only its own waiters. */
export interface LockWaiter {
  key: string;
  token: symbol;
  ttlMs: number;
  owner: object;
  resolve(): void;
  reject(error: unknown): void;
  giveUp?: NodeJS.Timeout;
}

interface KeyState {
  holder?: { token: symbol; expiresAt: number };
  waiters: LockWaiter[];
  timer?: NodeJS.Timeout;
}

/**
 * Process-wide lock state: per key, a holder with an expiry and a first-come, first-served line of
 * waiters. A holder that stops extending its lock loses it at `expiresAt`, as with Redis.
 * Several {@link InProcessLockManager}s may share one table.
 */
export class LocalLockTable {
  private readonly keys = new Map<string, KeyState>();

  /** Resolves once `waiter` holds its key; rejects with {@link LockUnavailableError} after `waitMs`. */
  acquire(waiter: Omit<LockWaiter, 'resolve' | 'reject' | 'giveUp'>, waitMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: LockWaiter = { ...waiter, resolve, reject };
      const state = this.state(waiter.key);
      state.waiters.push(entry);
      this.pump(waiter.key);
      // An unbounded wait (or one past setTimeout's range) simply has no give-up timer.
      if (state.waiters.includes(entry) && waitMs <= MAX_TIMER_MS) {
        entry.giveUp = setTimeout(() => {
          if (this.withdraw(entry)) {
            reject(
              new LockUnavailableError(
                waiter.key,
                `another worker held it for longer than the ${waitMs} ms this caller was willing to wait`,
              ),
            );
          }
        }, waitMs);
      }
    });
  }

  /** Pushes the expiry of a held lock; false when the lock was lost to expiry. */
  extend(key: string, token: symbol, ttlMs: number): boolean {
    const holder = this.keys.get(key)?.holder;
    if (!holder || holder.token !== token || holder.expiresAt <= performance.now()) return false;
    holder.expiresAt = performance.now() + ttlMs;
    return true;
  }

  /** Frees the key if `token` still holds it. */
  release(key: string, token: symbol): void {
    const state = this.keys.get(key);
    if (state?.holder?.token !== token) return;
    state.holder = undefined;
    this.pump(key);
  }

  /** Removes a waiter that gave up; true if it was still waiting. */
  withdraw(waiter: LockWaiter): boolean {
    const state = this.keys.get(waiter.key);
    const index = state ? state.waiters.indexOf(waiter) : -1;
    if (!state || index < 0) return false;
    state.waiters.splice(index, 1);
    clearTimeout(waiter.giveUp);
    this.pump(waiter.key);
    return true;
  }

  /** Every waiter that belongs to `owner`. */
  waitersOf(owner: object): LockWaiter[] {
    return [...this.keys.values()].flatMap((state) => state.waiters.filter((waiter) => waiter.owner === owner));
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { waiters: [] };
      this.keys.set(key, state);
    }
    return state;
  }

  /** Hands a free (or expired) key to the first waiter, or sleeps until the holder's expiry. */
  private pump(key: string): void {
    const state = this.keys.get(key);
    if (!state) return;
    clearTimeout(state.timer);
    state.timer = undefined;
    const now = performance.now();
    if (state.holder && state.holder.expiresAt <= now) state.holder = undefined;
    const next = state.holder ? undefined : state.waiters.shift();
    if (next) {
      clearTimeout(next.giveUp);
      state.holder = { token: next.token, expiresAt: now + next.ttlMs };
      next.resolve();
    }
    if (state.holder && state.waiters.length > 0) {
      state.timer = setTimeout(() => this.pump(key), Math.min(Math.ceil(state.holder.expiresAt - now), MAX_TIMER_MS));
    } else if (!state.holder && state.waiters.length === 0) {
      this.keys.delete(key);
    }
  }
}
