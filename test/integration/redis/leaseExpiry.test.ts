import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../../shared/adapters/redis';
import { startRedisServer, type RedisServerHandle } from '../../support/redisServer';
import { uniquePrefix } from './helpers';

let redis: RedisServerHandle;
let limiter: RedisRateLimiter | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await limiter?.close();
  await redis.stop();
});

it("a killed worker's concurrency slot comes back after its lease", async () => {
  const keyPrefix = uniquePrefix('lease');
  const leaseMs = 1500;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./fixtures/holdPermit.ts', import.meta.url)),
      redis.url,
      keyPrefix,
      String(leaseMs),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
  });
  const heldAt = Date.now();
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  limiter = new RedisRateLimiter({ url: redis.url, keyPrefix });
  const policy = { scope: 'lease-test', limits: [], concurrency: 1, leaseMs };
  // The slot is still taken by the dead worker...
  await expect(limiter.acquire(policy, AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'AbortError' });
  // ...and comes back when its lease runs out, not before.
  const permit = await limiter.acquire(policy);
  const waited = Date.now() - heldAt;
  expect(waited).toBeGreaterThanOrEqual(leaseMs - 100);
  expect(waited).toBeLessThan(leaseMs + 1500);
  await permit.release();
});
