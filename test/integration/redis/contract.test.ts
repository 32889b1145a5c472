import { afterAll, beforeAll } from 'vitest';
import { RedisRateLimiter, RedlockLockManager } from '../../../shared/adapters/redis';
import { describeLockManagerContract, describeRateLimiterContract } from '../../contract/suites';
import { startRedisServer, type RedisServerHandle } from '../../support/redisServer';
import { uniquePrefix } from './helpers';

let nodes: RedisServerHandle[] = [];

beforeAll(async () => {
  nodes = await Promise.all([startRedisServer(), startRedisServer(), startRedisServer()]);
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
});

describeRateLimiterContract('RedisRateLimiter (real redis-server)', async () => {
  const keyPrefix = uniquePrefix('contract');
  const opened: RedisRateLimiter[] = [];
  return {
    open: () => {
      const limiter = new RedisRateLimiter({ url: nodes[0]!.url, keyPrefix });
      opened.push(limiter);
      return limiter;
    },
    cleanup: async () => {
      await Promise.all(opened.map((limiter) => limiter.close()));
    },
  };
});

describeLockManagerContract('RedlockLockManager (3 real redis-server nodes)', async () => {
  const keyPrefix = uniquePrefix('contract');
  const opened: RedlockLockManager[] = [];
  return {
    open: () => {
      const locks = new RedlockLockManager({ urls: nodes.map((node) => node.url), keyPrefix, retryDelayMs: 50 });
      opened.push(locks);
      return locks;
    },
    cleanup: async () => {
      await Promise.all(opened.map((locks) => locks.close()));
    },
  };
});
