import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedlockLockManager } from '../../../shared/adapters/redis';
import { LockUnavailableError } from '../../../shared/ports';
import { startRedisServer, type RedisServerHandle } from '../../support/redisServer';
import { sleep, uniquePrefix } from './helpers';

let nodes: RedisServerHandle[] = [];
let managers: RedlockLockManager[] = [];

function workers(
  count: number,
  urls = nodes.map((n) => n.url),
  keyPrefix = uniquePrefix('lock'),
): RedlockLockManager[] {
  const made = Array.from({ length: count }, () => new RedlockLockManager({ urls, keyPrefix, retryDelayMs: 50 }));
  managers.push(...made);
  return made;
}

beforeAll(async () => {
  nodes = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
});

afterEach(async () => {
  await Promise.all(managers.map((m) => m.close()));
  managers = [];
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

describe('RedlockLockManager over 3 nodes', () => {
  it('single-flight refresh: one holder at a time, the others wait and re-read the new token', async () => {
    const fleet = workers(5);
    let holders = 0;
    let maxHolders = 0;
    let refreshes = 0;
    let token = { value: 'old', expiresAt: 0 };
    const getToken = (locks: RedlockLockManager) =>
      locks.withLock(
        'oauth:acme:graph_ads',
        async () => {
          holders += 1;
          maxHolders = Math.max(maxHolders, holders);
          try {
            if (token.expiresAt > Date.now()) return token.value; // someone refreshed while we waited
            await sleep(80); // the token endpoint
            refreshes += 1;
            token = { value: `new-${refreshes}`, expiresAt: Date.now() + 60_000 };
            return token.value;
          } finally {
            holders -= 1;
          }
        },
        { ttlMs: 2000, waitMs: 5000 },
      );
    const seen = await Promise.all(fleet.map(getToken));
    expect(maxHolders).toBe(1);
    expect(refreshes).toBe(1);
    expect(seen).toEqual(Array(5).fill('new-1'));
  });

  it('extends the lock while long work runs, so nobody else gets in after the TTL', async () => {
    const [a, b] = workers(2);
    let aborted = false;
    const long = a!.withLock(
      'extract:acme/graph/campaigns/2026-01-01',
      async (signal) => {
        await sleep(1300);
        aborted = signal.aborted;
        return 'done';
      },
      { ttlMs: 400 },
    );
    await sleep(100);
    const intruder = await b!
      .withLock('extract:acme/graph/campaigns/2026-01-01', async () => 'got in', { ttlMs: 400, waitMs: 700 })
      .catch((e: unknown) => e);
    expect(intruder).toBeInstanceOf(LockUnavailableError);
    expect((intruder as Error).message).toMatch(/another worker held it for the whole 700 ms wait/);
    expect(await long).toBe('done');
    expect(aborted).toBe(false);
    // Released at the end: the next worker gets it at once.
    expect(await b!.withLock('extract:acme/graph/campaigns/2026-01-01', async () => 'next', { waitMs: 0 })).toBe(
      'next',
    );
  });

  it("a dead holder's lock frees itself after its TTL", async () => {
    const [a, b] = workers(2);
    const stuck = a!.withLock('stuck', () => sleep(5_000), { ttlMs: 500 }).catch(() => undefined);
    await sleep(50);
    await a!.close(); // the holder's connections die: no more extensions, no release
    const started = Date.now();
    expect(await b!.withLock('stuck', async () => 'recovered', { waitMs: 2000 })).toBe('recovered');
    expect(Date.now() - started).toBeLessThan(1000);
    void stuck;
  });

  it('losing one node mid-run changes nothing; losing two makes the lock unavailable with a clear message', async () => {
    const killable = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
    try {
      const urls = killable.map((n) => n.url);
      const [a, b] = workers(2, urls);
      let aborted = false;
      const long = a!.withLock(
        'partition-7',
        async (signal) => {
          await sleep(1200); // spans several extensions, some after the node died
          aborted = signal.aborted;
          return 'finished';
        },
        { ttlMs: 400 },
      );
      await sleep(150);
      await killable[1]!.kill();
      const intruder = await b!.withLock('partition-7', async () => 'got in', { waitMs: 500 }).catch((e: unknown) => e);
      expect(intruder).toBeInstanceOf(LockUnavailableError);
      expect(await long).toBe('finished');
      expect(aborted).toBe(false);
      expect(await b!.withLock('partition-7', async () => 'next', { waitMs: 1000 })).toBe('next');

      await killable[2]!.kill();
      const error = await b!.withLock('partition-8', async () => 'x', { waitMs: 200 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LockUnavailableError);
      expect((error as Error).message).toMatch(
        /only 1 of 3 Redis nodes answered and 2 are needed; unreachable: redis:\/\/127\.0\.0\.1:\d+ \(/,
      );
    } finally {
      await Promise.all(killable.map((n) => n.stop()));
    }
  });

  it('errors thrown by the work pass through unchanged and release the lock', async () => {
    const [a] = workers(1);
    await expect(
      a!.withLock('boom', async () => {
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await a!.withLock('boom', async () => 'free again', { waitMs: 0 })).toBe('free again');
  });
});
