import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  InProcessRateLimiter,
  InvalidLimitPolicyError,
  LocalRateBudget,
} from '../../../shared/adapters/local';
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

  describe('counts a request until it may have reached the API (its end), not from its grant', () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const oneIn = (perMs: number, scope: string): LimitPolicy => ({ scope, limits: [{ requests: 1, perMs }] });

    it('keeps the next request a full window after a late arrival (a server counting arrivals sees ≤ 1)', async () => {
      const limiter = new InProcessRateLimiter();
      const policy = oneIn(100, 'late-arrival');
      const first = await limiter.acquire(policy);
      const granted = performance.now();
      // The first request reached the API 60 ms after its grant (its answer began then).
      setTimeout(() => first.arrived?.(), 60);
      await limiter.acquire(policy);
      // Before: granted 100 ms after the first grant, only 40 ms after the first arrival.
      expect(performance.now() - granted).toBeGreaterThanOrEqual(160 - 5);
      expect(performance.now() - granted).toBeLessThan(400);
    });

    it('counts a long download only until its answer began', async () => {
      const limiter = new InProcessRateLimiter();
      const policy = oneIn(100, 'long-body');
      const first = await limiter.acquire(policy);
      const granted = performance.now();
      first.arrived?.();
      setTimeout(() => void first.release(), 300);
      await limiter.acquire(policy);
      expect(performance.now() - granted).toBeLessThan(250);
    });

    it('counts a request whose answer never came until the arrival bound (or its release)', async () => {
      const limiter = new InProcessRateLimiter({ budget: new LocalRateBudget(150) });
      const policy = oneIn(100, 'no-answer');
      await limiter.acquire(policy);
      const granted = performance.now();
      await limiter.acquire(policy);
      expect(performance.now() - granted).toBeGreaterThanOrEqual(250 - 5);
      const second = performance.now();
      const released = await limiter.acquire(policy);
      await sleep(20);
      await released.release();
      await limiter.acquire(policy);
      expect(performance.now() - second).toBeGreaterThanOrEqual(20 + 100 - 5);
      expect(performance.now() - second).toBeLessThan(2 * 250);
    });

    it('keeps counting a request whose answer began only after the arrival bound, until then', async () => {
      const limiter = new InProcessRateLimiter({ budget: new LocalRateBudget(50) });
      const policy = oneIn(100, 'stalled');
      const first = await limiter.acquire(policy);
      const granted = performance.now();
      // The process stalled: the request may have left only now, 120 ms after its grant.
      await sleep(120);
      first.arrived?.();
      await first.release();
      await limiter.acquire(policy);
      expect(performance.now() - granted).toBeGreaterThanOrEqual(220 - 5);
    });
  });
});
