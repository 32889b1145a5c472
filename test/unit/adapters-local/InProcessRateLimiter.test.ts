import { describe, expect, it } from 'vitest';
import { ClosedError, InProcessRateLimiter, InvalidLimitPolicyError } from '../../../shared/adapters/local';
import type { LimitPolicy, Permit } from '../../../shared/ports';

describe('InProcessRateLimiter (local-only behaviour)', () => {
  it('serves waiters first come, first served', async () => {
    const limiter = new InProcessRateLimiter();
    const policy: LimitPolicy = { scope: 'fifo', limits: [], concurrency: 1 };
    const first = await limiter.acquire(policy);
    const order: number[] = [];
    const waiting = [1, 2, 3, 4].map((n) =>
      limiter.acquire(policy).then(async (permit) => {
        order.push(n);
        await new Promise((resolve) => setTimeout(resolve, 5));
        await permit.release();
      }),
    );
    await first.release();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('does not let a later caller jump a waiter blocked by the window', async () => {
    const limiter = new InProcessRateLimiter();
    const policy: LimitPolicy = { scope: 'no-jump', limits: [{ requests: 1, perMs: 80 }] };
    await limiter.acquire(policy);
    const order: string[] = [];
    const early = limiter.acquire(policy).then(() => order.push('early'));
    const late = limiter.acquire(policy).then(() => order.push('late'));
    await Promise.all([early, late]);
    expect(order).toEqual(['early', 'late']);
  });

  it('explains a policy it cannot enforce', async () => {
    const limiter = new InProcessRateLimiter();
    await expect(limiter.acquire({ scope: 's', limits: [{ requests: 0, perMs: 1000 }] })).rejects.toThrow(
      InvalidLimitPolicyError,
    );
    await expect(limiter.acquire({ scope: 's', limits: [{ requests: 1, perMs: -5 }] })).rejects.toThrow(
      'positive number of milliseconds',
    );
    await expect(limiter.acquire({ scope: 's', limits: [], concurrency: 0 })).rejects.toThrow('concurrency must be');
  });

  it('rejects waiting callers on close, keeps granted permits valid, and refuses new ones', async () => {
    const limiter = new InProcessRateLimiter();
    const policy: LimitPolicy = { scope: 'closing', limits: [], concurrency: 1 };
    const held: Permit = await limiter.acquire(policy);
    const waiting = limiter.acquire(policy);
    await limiter.close();
    await expect(waiting).rejects.toBeInstanceOf(ClosedError);
    await expect(limiter.acquire(policy)).rejects.toBeInstanceOf(ClosedError);
    await held.release();
  });

  it('passes the abort reason on', async () => {
    const limiter = new InProcessRateLimiter();
    const policy: LimitPolicy = { scope: 'abort-reason', limits: [], concurrency: 1 };
    await limiter.acquire(policy);
    const controller = new AbortController();
    const waiting = limiter.acquire(policy, controller.signal);
    const reason = new Error('run cancelled by user');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
