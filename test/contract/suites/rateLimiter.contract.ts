import { describe, expect, it } from 'vitest';
import type { LimitPolicy, RateLimiter } from '../../../shared/ports/RateLimiter';
import { sleep } from './timing';
import { freshKey, withFixture } from './withFixture';

export interface RateLimiterFixture {
  /** A new worker sharing the fixture's budget store (Redis, or this process's shared budget). */
  open(): RateLimiter;
  /** Closes every limiter `open` returned and frees the backend. */
  cleanup(): Promise<void>;
}

/**
 * Slack for clocks: a fleet-wide limiter decides on its server's clock while this test observes
 * grants on its own, so a window is checked as `perMs - SLACK_MS`.
 */
const SLACK_MS = 30;

/** Largest number of grant times falling in any half-open window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * The {@link RateLimiter} contract: window limits hold under contention from two workers,
 * several limits combine, the concurrency cap holds and its leases expire, `backOff` pauses a
 * scope, scopes are independent, and an aborted wait gives up its place.
 */
export function describeRateLimiterContract(adapterName: string, factory: () => Promise<RateLimiterFixture>): void {
  const limiterTest = (test: (fixture: RateLimiterFixture) => Promise<void>) => () => withFixture(factory, test);

  describe(`RateLimiter contract: ${adapterName}`, () => {
    it.concurrent(
      'never grants more than the limit in any window, across two workers',
      limiterTest(async ({ open }) => {
        const workers = [open(), open()];
        const policy: LimitPolicy = { scope: freshKey('window'), limits: [{ requests: 4, perMs: 250 }] };
        const started = performance.now();
        const grants: number[] = [];
        await Promise.all(
          Array.from({ length: 14 }, async (_, index) => {
            const permit = await workers[index % 2]!.acquire(policy);
            grants.push(performance.now());
            await permit.release();
          }),
        );
        expect(grants).toHaveLength(14);
        expect(busiestWindow(grants, 250 - SLACK_MS)).toBeLessThanOrEqual(4);
        // 14 requests at 4 per 250 ms need three full windows after the first burst.
        expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 250 - SLACK_MS);
        expect(performance.now() - started).toBeLessThan(3_000);
      }),
    );

    it.concurrent(
      'applies every limit of a policy',
      limiterTest(async ({ open }) => {
        const limiter = open();
        const policy: LimitPolicy = {
          scope: freshKey('multi'),
          limits: [
            { requests: 3, perMs: 100 },
            { requests: 4, perMs: 600 },
          ],
        };
        const started = performance.now();
        const grants: number[] = [];
        for (let i = 0; i < 5; i++) {
          await limiter.acquire(policy);
          grants.push(performance.now() - started);
        }
        expect(busiestWindow(grants, 100 - SLACK_MS)).toBeLessThanOrEqual(3);
        expect(busiestWindow(grants, 600 - SLACK_MS)).toBeLessThanOrEqual(4);
        expect(grants[4]).toBeGreaterThanOrEqual(600 - SLACK_MS);
      }),
    );

    it.concurrent(
      'caps requests in flight at the concurrency limit',
      limiterTest(async ({ open }) => {
        const workers = [open(), open()];
        const policy: LimitPolicy = {
          scope: freshKey('concurrency'),
          limits: [{ requests: 1000, perMs: 1000 }],
          concurrency: 2,
          leaseMs: 10_000,
        };
        let inFlight = 0;
        let most = 0;
        await Promise.all(
          Array.from({ length: 6 }, async (_, index) => {
            const permit = await workers[index % 2]!.acquire(policy);
            inFlight += 1;
            most = Math.max(most, inFlight);
            await sleep(60);
            inFlight -= 1;
            await permit.release();
            // Releasing twice must not free a second slot.
            await permit.release();
          }),
        );
        expect(most).toBe(2);
      }),
    );

    it.concurrent(
      'frees a concurrency slot whose holder never released it once its lease expires',
      limiterTest(async ({ open }) => {
        const limiter = open();
        const policy: LimitPolicy = { scope: freshKey('lease'), limits: [], concurrency: 1, leaseMs: 300 };
        await limiter.acquire(policy);
        const started = performance.now();
        const permit = await limiter.acquire(policy);
        const waited = performance.now() - started;
        expect(waited).toBeGreaterThanOrEqual(300 - 100);
        expect(waited).toBeLessThan(2_000);
        await permit.release();
      }),
    );

    it.concurrent(
      'pauses a scope on backOff for every worker, and only that scope',
      limiterTest(async ({ open }) => {
        const [first, second] = [open(), open()];
        const scope = freshKey('backoff');
        const policy: LimitPolicy = { scope, limits: [{ requests: 100, perMs: 1000 }] };
        await (await first!.acquire(policy)).release();

        await first!.backOff(scope, 400);
        const started = performance.now();
        const other = await second!.acquire({ scope: freshKey('other'), limits: [{ requests: 100, perMs: 1000 }] });
        expect(performance.now() - started).toBeLessThan(200);
        await other.release();

        await (await second!.acquire(policy)).release();
        expect(performance.now() - started).toBeGreaterThanOrEqual(400 - SLACK_MS);
        expect(performance.now() - started).toBeLessThan(2_000);
      }),
    );

    it.concurrent(
      'keeps scopes independent',
      limiterTest(async ({ open }) => {
        const limiter = open();
        const one = { requests: 1, perMs: 5_000 };
        await limiter.acquire({ scope: freshKey('a'), limits: [one] });
        const started = performance.now();
        await limiter.acquire({ scope: freshKey('b'), limits: [one] });
        expect(performance.now() - started).toBeLessThan(200);
      }),
    );

    it.concurrent(
      'gives up waiting when the signal aborts, without taking a slot',
      limiterTest(async ({ open }) => {
        const limiter = open();
        const policy: LimitPolicy = { scope: freshKey('abort'), limits: [], concurrency: 1, leaseMs: 10_000 };
        const held = await limiter.acquire(policy);

        const controller = new AbortController();
        const waiting = limiter.acquire(policy, controller.signal);
        setTimeout(() => controller.abort(new Error('run cancelled')), 50);
        await expect(waiting).rejects.toThrow();

        const aborted = new AbortController();
        aborted.abort(new Error('already cancelled'));
        await expect(limiter.acquire(policy, aborted.signal)).rejects.toThrow();

        await held.release();
        const started = performance.now();
        const next = await limiter.acquire(policy);
        expect(performance.now() - started).toBeLessThan(500);
        await next.release();
      }),
    );
  });
}
