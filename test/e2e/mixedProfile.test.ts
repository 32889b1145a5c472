import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../demo';
import { LocalRuntime } from '../../profiles/local/LocalRuntime';
import { prepareDemoEnvironment } from '../../profiles/local/demoEnvironment';
import { RedisRateLimiter } from '../../shared/adapters/redis';

const SERVER = 'postgresql://postgres@127.0.0.1:5432';

/**
 * DESIGN §3's mixed mode: the local runtime with a real PostgreSQL warehouse (DATABASE_URL) and
 * Redis for rate limits and locks (REDIS_URL), as a team shares them on a dev box.
 */
describe('local run against a real PostgreSQL and Redis', () => {
  const database = `dif_e2e_${process.pid}`;
  let admin: pg.Client;
  let api: DemoApi;
  let runtime: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: `${SERVER}/test` });
    await admin.connect();
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
    dir = mkdtempSync(join(tmpdir(), 'dif-mixed-'));
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
    runtime = await LocalRuntime.open({
      configDir: process.cwd(),
      dataDir: dir,
      databaseUrl: `${SERVER}/${database}`,
      redisUrl: 'redis://127.0.0.1:6379',
      ingest: { maxWaitSeconds: 0, retryIntervalScale: 0.01 },
    });
    await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
  });
  afterAll(async () => {
    await runtime?.close();
    await api?.close();
    delete process.env.DIF_DEMO_API_URL;
    await admin?.query(`drop database if exists ${database} with (force)`);
    await admin?.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every item of a client into the PostgreSQL server once, rate-limited through Redis', async () => {
    const limiter = runtime.ctx.ports.rateLimiter;
    expect(limiter).toBeInstanceOf(RedisRateLimiter);
    let permits = 0;
    const acquire = limiter.acquire.bind(limiter);
    limiter.acquire = (policy, signal) => {
      permits += 1;
      return acquire(policy, signal);
    };
    // initech's sources are rate-limited (graph_ads) and rotate OAuth tokens under a lock (sponsored_ads).
    const outcome = await runtime.run({ client: 'initech' });
    expect(outcome.result.status).toBe('succeeded');
    expect(permits).toBeGreaterThan(0);
    const count = async () =>
      Number((await runtime.ctx.ports.warehouse.query('select count(*) as n from initech.campaign_insights'))[0]!.n);
    const rows = await count();
    expect(rows).toBeGreaterThan(0);
    expect((await runtime.run({ client: 'initech' })).result.status).toBe('succeeded');
    expect(await count()).toBe(rows);
  });
});
