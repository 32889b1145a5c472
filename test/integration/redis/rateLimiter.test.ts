import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter, RedisUnavailableError } from '../../../shared/adapters/redis';
import { startRedisServer, type RedisServerHandle } from '../../support/redisServer';
import { hammer, maxInAnyWindow, sleep, uniquePrefix } from './helpers';

let redis: RedisServerHandle;
const open: RedisRateLimiter[] = [];

function limiter(
  name: string,
  count = 1,
  extra: Partial<ConstructorParameters<typeof RedisRateLimiter>[0]> = {},
): RedisRateLimiter[] {
  const keyPrefix = uniquePrefix(name);
  const made = Array.from({ length: count }, () => new RedisRateLimiter({ url: redis.url, keyPrefix, ...extra }));
  open.push(...made);
  return made;
}

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(open.map((l) => l.close()));
  await redis.stop();
});

describe('RedisRateLimiter', () => {
  it('holds several limits on one scope across competing workers and still uses the budget', async () => {
    const workers = limiter('multi', 4);
    const policy = {
      scope: 'app-1',
      limits: [
        { requests: 5, perMs: 300 },
        { requests: 8, perMs: 1000 },
      ],
    };
    const { admissions } = await hammer(workers, policy, { loops: 3, durationMs: 1300, holdMs: 0 });
    expect(maxInAnyWindow(admissions, 300)).toBeLessThanOrEqual(5);
    expect(maxInAnyWindow(admissions, 1000)).toBeLessThanOrEqual(8);
    // 5 at once, 3 more after 300 ms (the per-second cap), 5 more once the first second has
    // passed: 13 in 1.3 s. The budget is used, not wasted.
    expect(admissions.length).toBeGreaterThanOrEqual(12);
    expect(admissions.length).toBeLessThanOrEqual(13);
  });

  it('caps concurrency across workers and serves every worker (FIFO, no starvation)', async () => {
    const workers = limiter('conc', 3);
    const policy = { scope: 'acct-9', limits: [], concurrency: 2 };
    const { admissions, maxInFlight } = await hammer(workers, policy, { loops: 2, durationMs: 700, holdMs: 25 });
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(maxInFlight).toBe(2);
    const perWorker = [0, 1, 2].map((w) => admissions.filter((a) => a.worker === w).length);
    // With two slots shared by three workers each gets about a third; FIFO keeps it even.
    for (const count of perWorker) expect(count).toBeGreaterThan(admissions.length / 6);
    expect(admissions.length).toBeGreaterThan(25);
  });

  it('serves waiting workers in arrival order (fair FIFO queue across workers)', async () => {
    const fleet = limiter('fifo', 5);
    const policy = { scope: 'acct-fifo', limits: [], concurrency: 1 };
    const held = await fleet[0]!.acquire(policy);
    const order: number[] = [];
    const waiting: Promise<void>[] = [];
    for (const worker of [4, 2, 3, 1]) {
      waiting.push(
        fleet[worker]!.acquire(policy).then(async (permit) => {
          order.push(worker);
          await sleep(10);
          await permit.release();
        }),
      );
      await sleep(40);
    }
    await held.release();
    await Promise.all(waiting);
    expect(order).toEqual([4, 2, 3, 1]);
  });

  it('counts a request until its release, or until the arrival bound if it is never released early', async () => {
    const [a] = limiter('bound', 1, { arrivalBoundMs: 250 });
    const policy = { scope: 'app-6', limits: [{ requests: 1, perMs: 300 }] };
    // Released after 100 ms: the API may have received it that late, so the next waits 100 + 300.
    let started = Date.now();
    const first = await a!.acquire(policy);
    await sleep(100);
    await first.release();
    await a!.acquire(policy); // never released
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    // Never released: it counts until admission + 250 ms (the bound), so the next waits 250 + 300.
    started = Date.now();
    await (await a!.acquire(policy)).release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(530);
    expect(Date.now() - started).toBeLessThan(800);
  });

  it('backOff pauses the scope for every worker, then recovers', async () => {
    const [a, b] = limiter('backoff', 2);
    const policy = { scope: 'app-2', limits: [{ requests: 100, perMs: 1000 }] };
    await (await b!.acquire(policy)).release();
    await a!.backOff('app-2', 400);
    const started = Date.now();
    await (await b!.acquire(policy)).release();
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const again = Date.now();
    await (await b!.acquire(policy)).release();
    expect(Date.now() - again).toBeLessThan(100);
  });

  it('slowDown (adaptive mode) runs the scope at a fraction of its limit for a while', async () => {
    const [a, b] = limiter('adaptive', 2, { adaptive: { threshold: 0.8, factor: 0.5, forMs: 60_000 } });
    await a!.reportUsage('app-3', 0.5); // below the threshold: no effect
    await a!.reportUsage('app-3', 0.93);
    const policy = { scope: 'app-3', limits: [{ requests: 6, perMs: 800 }] };
    // Longer than one window, so a slow (loaded) machine still sees the first window fill up;
    // the assertion is on windows, not on wall-clock totals.
    const { admissions } = await hammer([b!], policy, { loops: 4, durationMs: 1200, holdMs: 0 });
    expect(maxInAnyWindow(admissions, 800)).toBe(3);
  });

  it('an aborted waiter leaves the queue and does not block the ones behind it', async () => {
    const [a, b] = limiter('abort', 2);
    const policy = { scope: 'app-4', limits: [], concurrency: 1 };
    const held = await a!.acquire(policy);
    const controller = new AbortController();
    const waiting = b!.acquire(policy, controller.signal);
    await sleep(50);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await held.release();
    const started = Date.now();
    await (await a!.acquire(policy)).release();
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('wakes a waiter as soon as a slot is released, not at the lease expiry', async () => {
    const [a, b] = limiter('wake', 2);
    const policy = { scope: 'app-5', limits: [{ requests: 10, perMs: 1000 }], concurrency: 1, leaseMs: 30_000 };
    const held = await a!.acquire(policy);
    const waiting = b!.acquire(policy);
    await sleep(100);
    const releasedAt = Date.now();
    await held.release();
    await (await waiting).release();
    expect(Date.now() - releasedAt).toBeLessThan(150);
  });

  it('rejects an impossible policy with a clear error', async () => {
    const [a] = limiter('invalid');
    await expect(a!.acquire({ scope: 'x', limits: [{ requests: 0, perMs: 1000 }] })).rejects.toThrow(
      /requests must be a positive integer/,
    );
  });
});

describe('RedisRateLimiter when Redis is down', () => {
  it("onRedisDown 'fail' throws RedisUnavailableError naming the URL and what to check", async () => {
    const dead = await startRedisServer();
    await dead.kill();
    const l = new RedisRateLimiter({ url: dead.url, onRedisDown: 'fail' });
    open.push(l);
    const error = await l.acquire({ scope: 's', limits: [{ requests: 1, perMs: 1000 }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toContain(dead.url);
    expect((error as Error).message).toMatch(/REDIS_URL/);
    await expect(l.backOff('s', 1000)).rejects.toBeInstanceOf(RedisUnavailableError);
  });

  it("onRedisDown 'fallback' keeps to this worker's share of the budget", async () => {
    const dead = await startRedisServer();
    await dead.kill();
    const l = new RedisRateLimiter({ url: dead.url, onRedisDown: 'fallback', workerCount: 3 });
    open.push(l);
    const policy = { scope: 's', limits: [{ requests: 6, perMs: 600 }] };
    const { admissions } = await hammer([l], policy, { loops: 3, durationMs: 500, holdMs: 0 });
    expect(admissions.length).toBe(2); // 6 per 600 ms split between 3 workers
    await expect(l.acquire({ scope: 't', limits: [{ requests: 2, perMs: 1000 }] })).rejects.toThrow(
      /cannot be shared by 3 workers/,
    );
  });

  it('switches back to Redis once it is reachable again', async () => {
    const node = await startRedisServer();
    const l = new RedisRateLimiter({ url: node.url, onRedisDown: 'fallback', workerCount: 2, redisRetryMs: 200 });
    open.push(l);
    const policy = { scope: 's', limits: [{ requests: 10, perMs: 1000 }] };
    await (await l.acquire(policy)).release();
    await node.kill();
    await (await l.acquire(policy)).release(); // served by the fallback
    const revived = await startRedisServer({ port: node.port });
    try {
      await sleep(300);
      await (await l.acquire(policy)).release();
      // The revived (empty) Redis counts the request sent on the fallback and the new one.
      const { Redis } = await import('ioredis');
      const client = new Redis(revived.url);
      const keys = await client.keys('dif:rl:*:log');
      expect(keys).toHaveLength(1);
      expect(await client.zcard(keys[0]!)).toBe(2);
      client.disconnect();
    } finally {
      await revived.stop();
    }
  });
});
