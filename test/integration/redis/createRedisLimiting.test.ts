import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedisLimiting } from '../../../shared/adapters/redis';
import { startRedisServer, type RedisServerHandle } from '../../support/redisServer';
import { uniquePrefix } from './helpers';

let nodes: RedisServerHandle[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
});

it('builds a limiter on the first URL and locks over every URL, and closes both', async () => {
  const limiting = createRedisLimiting({
    urls: nodes.map((n) => n.url),
    keyPrefix: uniquePrefix('factory'),
    onRedisDown: 'fail',
  });
  try {
    const permit = await limiting.rateLimiter.acquire({
      scope: 'app',
      limits: [{ requests: 5, perMs: 1000 }],
      concurrency: 1,
    });
    await permit.release();
    expect(await limiting.locks.withLock('oauth:acme:graph', async () => 'refreshed', { waitMs: 0 })).toBe('refreshed');
    // The lock keys went to every node (a quorum of them at least), the limiter keys to the first only.
    const { Redis } = await import('ioredis');
    const counts = await Promise.all(
      nodes.map(async (node) => {
        const client = new Redis(node.url);
        const keys = await client.keys('test:factory:*');
        client.disconnect();
        return keys.length;
      }),
    );
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(0); // the lock was released (deleted) there; no limiter keys either
  } finally {
    await limiting.close();
  }
});

it('says which setting to fix when no Redis URL is given', () => {
  expect(() => createRedisLimiting({ urls: [] })).toThrow(/REDIS_URL/);
});
