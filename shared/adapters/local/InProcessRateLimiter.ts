import type { LimitPolicy, Permit, RateLimiter } from '../../ports/RateLimiter';
import { ClosedError } from './errors';
import { LocalRateBudget, type BudgetWaiter } from './LocalRateBudget';

export interface InProcessRateLimiterOptions {
  /** Budgets shared with other limiters of this process (default: a budget of its own). */
  budget?: LocalRateBudget;
}

/**
 * The local default {@link RateLimiter}: every limit of a scope is a sliding window (at most
 * `requests` grants in any `perMs`), concurrency is a count of unreleased permits, `backOff`
 * pauses the scope, and waiters are served first come, first served.
 *
 * @example
 * const limiter = new InProcessRateLimiter();
 * const permit = await limiter.acquire({ scope: 'graph_ads:app-1', limits: [{ requests: 200, perMs: 3_600_000 }], concurrency: 4 });
 * try { await callApi(); } finally { await permit.release(); }
 */
export class InProcessRateLimiter implements RateLimiter {
  private readonly budget: LocalRateBudget;
  private closed = false;

  constructor(options: InProcessRateLimiterOptions = {}) {
    this.budget = options.budget ?? new LocalRateBudget();
  }

  acquire(policy: LimitPolicy, signal?: AbortSignal): Promise<Permit> {
    if (this.closed) return Promise.reject(new ClosedError('the rate limiter'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.budget.withdraw(waiter)) reject(signal?.reason);
      };
      const waiter: BudgetWaiter = {
        policy,
        owner: this,
        resolve: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.budget.enqueue(waiter);
      } catch (error) {
        waiter.reject(error);
      }
    });
  }

  async backOff(scope: string, forMs: number): Promise<void> {
    this.budget.pause(scope, forMs);
  }

  async slowDown(scope: string, factor: number, forMs: number): Promise<void> {
    this.budget.slowDown(scope, factor, forMs);
  }

  /** Rejects this limiter's waiting callers; permits already granted stay valid. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.budget.waitersOf(this)) {
      if (this.budget.withdraw(waiter)) waiter.reject(new ClosedError('the rate limiter'));
    }
  }
}
