import { randomUUID } from 'node:crypto';
import type { LimitPolicy, Permit, RateLimiter } from '../../ports';
import { AcquireAbortedError } from './errors';
import { DEFAULT_ARRIVAL_BOUND_MS, DEFAULT_LEASE_MS, longestWindowMs } from './limitPolicy';

interface Waiter {
  policy: LimitPolicy;
  resolve: (permit: Permit) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface ScopeState {
  /** permit id → end of the request: its release, or admission + arrival bound if sooner. */
  ends: Map<string, number>;
  /** permit id → lease expiry of requests in flight. */
  leases: Map<string, number>;
  waiters: Waiter[];
  pausedUntil: number;
  timer?: NodeJS.Timeout;
}

/**
 * The same rules as the Redis limiter (sliding-window log counted until release or the arrival
 * bound, concurrency
 * with leases, FIFO waiters, back-off), kept in this process only. `RedisRateLimiter` runs it on
 * each worker's share of the budget while Redis is unreachable (`onRedisDown: 'fallback'`).
 */
export class FallbackRateLimiter implements RateLimiter {
  private readonly scopes = new Map<string, ScopeState>();

  private readonly arrivalBoundMs: number;
  private readonly now: () => number;

  constructor(options: { arrivalBoundMs?: number; now?: () => number } = {}) {
    this.arrivalBoundMs = options.arrivalBoundMs ?? DEFAULT_ARRIVAL_BOUND_MS;
    this.now = options.now ?? Date.now;
  }

  async acquire(policy: LimitPolicy, signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) throw new AcquireAbortedError(`a rate-limit permit`);
    const state = this.state(policy.scope);
    return await new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { policy, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = state.waiters.indexOf(waiter);
          if (index < 0) return;
          state.waiters.splice(index, 1);
          reject(new AcquireAbortedError('a rate-limit permit'));
          this.pump(policy.scope);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      state.waiters.push(waiter);
      this.pump(policy.scope);
    });
  }

  async backOff(scope: string, forMs: number): Promise<void> {
    const state = this.state(scope);
    state.pausedUntil = Math.max(state.pausedUntil, this.now() + forMs);
    this.pump(scope);
  }

  /**
   * Hands over the scope's logged request ends (ms from now; negative = already ended) and forgets
   * them, so the Redis log can count what this worker sent while Redis was down.
   */
  takeRecentEnds(scope: string): Array<{ id: string; inMs: number }> {
    const state = this.scopes.get(scope);
    if (!state) return [];
    const now = this.now();
    const ends = [...state.ends].map(([id, end]) => ({ id, inMs: end - now }));
    state.ends.clear();
    return ends;
  }

  async close(): Promise<void> {
    for (const state of this.scopes.values()) {
      clearTimeout(state.timer);
      for (const waiter of state.waiters.splice(0))
        waiter.reject(new Error('rate limiter closed while waiting for a permit'));
    }
  }

  private state(scope: string): ScopeState {
    let state = this.scopes.get(scope);
    if (!state) {
      state = { ends: new Map(), leases: new Map(), waiters: [], pausedUntil: 0 };
      this.scopes.set(scope, state);
    }
    return state;
  }

  /** Admits waiters from the head of the queue while the budget allows, then sleeps until it may. */
  private pump(scope: string): void {
    const state = this.state(scope);
    clearTimeout(state.timer);
    state.timer = undefined;
    while (state.waiters.length > 0) {
      const head = state.waiters[0]!;
      const wait = this.waitMs(state, head.policy);
      if (wait > 0) {
        state.timer = setTimeout(() => this.pump(scope), Math.ceil(wait));
        return;
      }
      state.waiters.shift();
      if (head.onAbort) head.signal?.removeEventListener('abort', head.onAbort);
      head.resolve(this.admit(scope, state, head.policy));
    }
  }

  private waitMs(state: ScopeState, policy: LimitPolicy): number {
    const now = this.now();
    for (const [id, expiry] of state.leases) if (expiry <= now) state.leases.delete(id);
    const longest = longestWindowMs(policy);
    for (const [id, end] of state.ends) if (end <= now - longest) state.ends.delete(id);
    let wait = state.pausedUntil - now;
    if (policy.concurrency !== undefined && state.leases.size >= policy.concurrency) {
      const expiries = [...state.leases.values()].sort((a, b) => a - b);
      wait = Math.max(wait, expiries[state.leases.size - policy.concurrency]! - now);
    }
    for (const limit of policy.limits) {
      const ends = [...state.ends.values()].filter((end) => end > now - limit.perMs).sort((a, b) => a - b);
      if (ends.length >= limit.requests) wait = Math.max(wait, ends[ends.length - limit.requests]! + limit.perMs - now);
    }
    return wait;
  }

  private admit(scope: string, state: ScopeState, policy: LimitPolicy): Permit {
    const id = randomUUID();
    const lease = policy.leaseMs ?? DEFAULT_LEASE_MS;
    const expiry = this.now() + lease;
    state.ends.set(id, this.now() + Math.min(lease, this.arrivalBoundMs));
    state.leases.set(id, expiry);
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        state.leases.delete(id);
        const end = state.ends.get(id);
        if (end !== undefined && this.now() < end) state.ends.set(id, this.now());
        this.pump(scope);
      },
    };
  }
}
