import type { LimitPolicy, Permit } from '../../ports/RateLimiter';
import { InvalidLimitPolicyError } from './errors';

/** One caller waiting for a permit; `owner` lets a closing limiter cancel only its own waiters. */
export interface BudgetWaiter {
  policy: LimitPolicy;
  owner: object;
  resolve(permit: Permit): void;
  reject(error: unknown): void;
}

/** setTimeout fires at once for longer delays; waking early only means checking again. */
const MAX_TIMER_MS = 2_147_483_647;

interface WindowLog {
  perMs: number;
  /** When each request still counted may have reached the API at the latest (its end), earliest first. */
  ends: number[];
}

/**
 * How long after its grant a request is assumed to reach the API, until its answer proves it
 * earlier. Longer than the Redis limiter's 500 ms: one process on a loaded laptop runs every
 * worker, and its event loop can stall for longer than that between a grant and the request
 * leaving (bench:extract at load average 21 saw one request refused with 500 ms).
 */
export const DEFAULT_ARRIVAL_BOUND_MS = 2_000;

interface ScopeState {
  windows: Map<string, WindowLog>;
  /** Permit id → lease expiry (Infinity when the policy has no lease). */
  active: Map<number, number>;
  pausedUntil: number;
  /** While `until` is ahead, every limit of the scope admits only `factor` of its requests. */
  slowed?: { factor: number; until: number };
  waiters: BudgetWaiter[];
  timer?: NodeJS.Timeout;
}

/**
 * The budgets of every scope in this process: sliding-window logs per limit, concurrency permits
 * with optional leases, and back-off pauses. Waiters of a scope are served strictly first come,
 * first served, so a steady stream of callers cannot starve an early one.
 *
 * A window counts each request until it may have reached the API (its end), not from its grant,
 * the rule of the Redis limiter (docs/rate-limits.md): granted at `t`, its end is
 * `t + min(leaseMs, arrivalBoundMs)` until the permit says the answer began (`arrived()`) or is
 * released, which moves the end to that moment. A server counting arrivals then never sees more
 * than `requests` in any window, however much the time from grant to arrival varies.
 *
 * Several {@link InProcessRateLimiter}s may share one budget, as Redis-backed workers share Redis.
 */
export class LocalRateBudget {
  private readonly scopes = new Map<string, ScopeState>();
  private nextPermitId = 1;

  constructor(private readonly arrivalBoundMs = DEFAULT_ARRIVAL_BOUND_MS) {}

  /** Queues `waiter` behind the scope's earlier waiters and serves what can be served now. */
  enqueue(waiter: BudgetWaiter): void {
    checkPolicy(waiter.policy);
    this.scope(waiter.policy.scope).waiters.push(waiter);
    this.pump(waiter.policy.scope);
  }

  /** Removes a waiter that gave up (aborted or closed); true if it was still waiting. */
  withdraw(waiter: BudgetWaiter): boolean {
    const state = this.scopes.get(waiter.policy.scope);
    const index = state ? state.waiters.indexOf(waiter) : -1;
    if (!state || index < 0) return false;
    state.waiters.splice(index, 1);
    this.pump(waiter.policy.scope);
    return true;
  }

  /** Every waiter, across scopes, that belongs to `owner`. */
  waitersOf(owner: object): BudgetWaiter[] {
    return [...this.scopes.values()].flatMap((state) => state.waiters.filter((waiter) => waiter.owner === owner));
  }

  /** Runs `scope` at `factor` of its limits for `forMs` (the newest call wins). */
  slowDown(scope: string, factor: number, forMs: number): void {
    if (!(factor > 0 && factor <= 1)) throw new RangeError(`slow-down factor must be in (0, 1], got ${factor}`);
    this.scope(scope).slowed = { factor, until: performance.now() + Math.max(0, forMs) };
    this.pump(scope);
  }

  pause(scope: string, forMs: number): void {
    const state = this.scope(scope);
    state.pausedUntil = Math.max(state.pausedUntil, performance.now() + Math.max(0, forMs));
    this.pump(scope);
  }

  private scope(scope: string): ScopeState {
    let state = this.scopes.get(scope);
    if (!state) {
      state = { windows: new Map(), active: new Map(), pausedUntil: 0, waiters: [] };
      this.scopes.set(scope, state);
    }
    return state;
  }

  /** Grants permits to waiters at the head while they fit, then sleeps until the head could fit. */
  private pump(scope: string): void {
    const state = this.scopes.get(scope);
    if (!state) return;
    clearTimeout(state.timer);
    state.timer = undefined;
    for (;;) {
      const now = performance.now();
      prune(state, now);
      const head = state.waiters[0];
      if (!head) break;
      const waitMs = delayFor(state, head.policy, now);
      if (waitMs > 0) {
        // Infinity means only a permit release can help; release() pumps again.
        if (Number.isFinite(waitMs))
          state.timer = setTimeout(() => this.pump(scope), Math.min(Math.ceil(waitMs), MAX_TIMER_MS));
        return;
      }
      state.waiters.shift();
      head.resolve(this.grant(scope, state, head.policy, now));
    }
    const slowed = state.slowed !== undefined && state.slowed.until > performance.now();
    if (
      state.active.size === 0 &&
      !slowed &&
      state.pausedUntil <= performance.now() &&
      [...state.windows.values()].every((log) => log.ends.length === 0)
    ) {
      this.scopes.delete(scope);
    }
  }

  private grant(scope: string, state: ScopeState, policy: LimitPolicy, now: number): Permit {
    let end = now + Math.min(policy.leaseMs ?? Infinity, this.arrivalBoundMs);
    const logs = policy.limits.map((limit) => {
      const key = `${limit.requests}/${limit.perMs}`;
      let log = state.windows.get(key);
      if (!log) {
        log = { perMs: limit.perMs, ends: [] };
        state.windows.set(key, log);
      }
      insertSorted(log.ends, end);
      return log;
    });
    // The answer began (or the request is over): it reached the API by now, so its end moves here
    // (later too, when the bound proved short: the grants to come then still count it).
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      const at = performance.now();
      for (const log of logs) moveEnd(log.ends, end, at);
      end = at;
      if (this.scopes.get(scope) === state) this.pump(scope);
    };
    const id = this.nextPermitId++;
    if (policy.concurrency !== undefined)
      state.active.set(id, policy.leaseMs === undefined ? Infinity : now + policy.leaseMs);
    let released = false;
    return {
      arrived: settle,
      release: async () => {
        if (released) return;
        released = true;
        settle();
        const current = this.scopes.get(scope);
        if (current?.active.delete(id)) this.pump(scope);
      },
    };
  }
}

/** Inserts `value` into the ascending `values`. */
function insertSorted(values: number[], value: number): void {
  let index = values.length;
  while (index > 0 && (values[index - 1] as number) > value) index--;
  values.splice(index, 0, value);
}

/** Replaces one `from` in the ascending `values` by `to` (nothing if it already left the window). */
function moveEnd(values: number[], from: number, to: number): void {
  const index = values.lastIndexOf(from);
  if (index < 0) return;
  values.splice(index, 1);
  insertSorted(values, to);
}

/** Drops requests that left every window and leases that expired. */
function prune(state: ScopeState, now: number): void {
  for (const log of state.windows.values()) {
    let expired = 0;
    while (expired < log.ends.length && (log.ends[expired] as number) <= now - log.perMs) expired++;
    if (expired > 0) log.ends.splice(0, expired);
  }
  for (const [id, expiresAt] of state.active) if (expiresAt <= now) state.active.delete(id);
}

/** Milliseconds until `policy` allows one more request in `state` (0 = now). */
function delayFor(state: ScopeState, policy: LimitPolicy, now: number): number {
  let wait = Math.max(0, state.pausedUntil - now);
  const factor = state.slowed && state.slowed.until > now ? state.slowed.factor : 1;
  for (const limit of policy.limits) {
    const ends = state.windows.get(`${limit.requests}/${limit.perMs}`)?.ends ?? [];
    const allowed = Math.max(1, Math.floor(limit.requests * factor));
    if (ends.length >= allowed) {
      wait = Math.max(wait, (ends[ends.length - allowed] as number) + limit.perMs - now);
    }
  }
  if (policy.concurrency !== undefined && state.active.size >= policy.concurrency) {
    wait = Math.max(wait, Math.min(...state.active.values()) - now);
  }
  return wait;
}

function checkPolicy(policy: LimitPolicy): void {
  for (const limit of policy.limits) {
    if (!Number.isInteger(limit.requests) || limit.requests < 1) {
      throw new InvalidLimitPolicyError(
        policy.scope,
        `requests must be a whole number of at least 1, got ${limit.requests}`,
      );
    }
    if (!Number.isFinite(limit.perMs) || limit.perMs <= 0) {
      throw new InvalidLimitPolicyError(
        policy.scope,
        `the window must be a positive number of milliseconds, got ${limit.perMs}`,
      );
    }
  }
  if (policy.concurrency !== undefined && (!Number.isInteger(policy.concurrency) || policy.concurrency < 1)) {
    throw new InvalidLimitPolicyError(
      policy.scope,
      `concurrency must be a whole number of at least 1, got ${policy.concurrency}`,
    );
  }
  if (policy.leaseMs !== undefined && !(policy.leaseMs > 0)) {
    throw new InvalidLimitPolicyError(policy.scope, `leaseMs must be positive, got ${policy.leaseMs}`);
  }
}
