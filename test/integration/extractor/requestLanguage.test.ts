/**
 * Issue 16 §1, §5–7 against the demo API: paging anywhere in the request, values read with a
 * pattern, structured usage headers, and rate limits per kind of request shared through Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../../demo';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { extract } from '../../../services/extractor/handlers/extract';
import { plan } from '../../../services/extractor/handlers/plan';
import { pollJob } from '../../../services/extractor/handlers/pollJob';
import { startJob } from '../../../services/extractor/handlers/startJob';
import { RedisRateLimiter } from '../../../shared/adapters/redis';
import { loadConfig } from '../../../shared/config';
import type { RateLimiter } from '../../../shared/ports';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { configFrom, extractorContext, MemorySecrets, type ExtractorTestContext } from '../../support/extractorContext';
import { startRedisServer, type RedisServerHandle } from '../../support/redisServer';

let api: DemoApi;
const contexts: ExtractorTestContext[] = [];

beforeAll(async () => {
  api = await startDemoApi();
  api.state.pollsUntilDone = 1;
  process.env.DIF_DEMO_API_URL = api.url;
  clearOAuthTokenCache();
});
afterAll(async () => {
  for (const env of contexts) await env.close();
  await api?.close();
});

function contextFor(config = loadConfig(process.cwd()), secrets?: MemorySecrets): ExtractorTestContext {
  const env = extractorContext(config, secrets ? { secrets } : {});
  contexts.push(env);
  return env;
}

/** The same context on another rate limiter (another worker of the fleet). */
function onLimiter(ctx: ServiceContext, rateLimiter: RateLimiter): ServiceContext {
  return { ...ctx, ports: { ...ctx.ports, rateLimiter } };
}

describe('usage headers with structure (graph_ads, Meta X-Business-Use-Case-Usage)', () => {
  it("slows the fleet down when the work item's own account nears its quota, not another account's", async () => {
    const env = contextFor();
    const slowed: [string, number][] = [];
    const limiter = env.ctx.ports.rateLimiter;
    limiter.slowDown = async (scope, factor) => void slowed.push([scope, factor]);
    api.state.businessUseCaseUsage.set('1003', 91);
    const { items } = await plan(env.ctx, { runId: 'u1', client: 'initech', source: 'graph_ads', stream: 'campaigns' });
    const byAccount = (account: string) => items.find((item) => item.partition === `account_id=${account}`)!;

    await extract(env.ctx, { item: byAccount('1002'), taskToken: 'tok' });
    expect(slowed).toEqual([]);
    await extract(env.ctx, { item: byAccount('1003'), taskToken: 'tok' });
    // Every page of account 1003 reported 91% on ads_management: each slowed the business's budget.
    expect(slowed.length).toBeGreaterThan(0);
    expect(new Set(slowed.map(([scope, factor]) => `${scope.split(':')[0]} ${factor}`))).toEqual(
      new Set(['graph_ads 0.5']),
    );
    api.state.businessUseCaseUsage.clear();
  });
});

describe('rate limits per kind of request, shared through Redis', () => {
  let redis: RedisServerHandle;
  const limiters: RedisRateLimiter[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(limiters.map((limiter) => limiter.close()));
    await redis?.stop();
  });

  it('holds report creations to their per-profile budget across workers while polls and other profiles go on', async () => {
    const source = `
name: amz
base_url: "{{ env.DIF_DEMO_API_URL }}/amazon"
auth: { type: oauth2_refresh_token, token_url: "{{ env.DIF_DEMO_API_URL }}/oauth/token", client_id: "{{ secrets.client_id }}", client_secret: "{{ secrets.client_secret }}" }
rate_limit:
  requests: 100
  per: 1s
  by_kind:
    create: { scope: "{{ client.account_id }}", requests: 2, per: 1h }
streams:
  report:
    partition: { date_range: { start: "2026-03-01", end: "2026-03-05", step: P1D } }
    async_job:
      create: { method: POST, path: /reporting/reports, body: { type: json, value: { accountId: "{{ client.account_id }}", startDate: "{{ slice.start }}", endDate: "{{ slice.end }}" } } }
      id: $.reportId
      poll: { request: { path: "/reporting/reports/{{ job.id }}" }, status: $.status, running: [PENDING, PROCESSING], done: [COMPLETED], failed: [FAILED] }
      download: { url: $.url }
    records: $
    columns: { campaign_id: { type: varchar(32), from: campaignId } }
    load: { table: amz_report }
`;
    const config = configFrom({
      sources: { amz: source },
      clients: {
        one: 'client: one\nsources:\n  amz: { params: { account_id: "7001" } }\n',
        two: 'client: two\nsources:\n  amz: { params: { account_id: "7002" } }\n',
      },
    });
    const env = contextFor(config, new MemorySecrets({ amz: DEMO_CREDENTIALS.sponsored_ads! }));
    const keyPrefix = `test:kinds:${Math.random().toString(36).slice(2, 8)}:`;
    const [first, second] = [0, 1].map(() => new RedisRateLimiter({ url: redis.url, keyPrefix }));
    limiters.push(first!, second!);
    const worker1 = onLimiter(env.ctx, first!);
    const worker2 = onLimiter(env.ctx, second!);
    const one = (await plan(env.ctx, { runId: 'k1', client: 'one', source: 'amz' })).items;
    const two = (await plan(env.ctx, { runId: 'k2', client: 'two', source: 'amz' })).items;

    // Two creations for profile 7001, one per worker: the budget allows two an hour.
    const created = await Promise.all([startJob(worker1, { item: one[0]! }), startJob(worker2, { item: one[1]! })]);
    let thirdDone = false;
    const third = startJob(worker1, { item: one[2]! }).then(
      () => (thirdDone = true),
      (error: Error) => error,
    );
    // Meanwhile a poll (another kind) and a creation for profile 7002 (another scope) go through.
    expect((await pollJob(worker2, { item: one[0]!, job: created[0].job })).status).toMatch(/running|ready/);
    expect((await startJob(worker2, { item: two[0]! })).job.id).toMatch(/^amazon-job-/);
    expect(thirdDone).toBe(false);
    const creates = api.requests.filter(
      (request) => request.method === 'POST' && request.path === '/amazon/reporting/reports',
    );
    expect(creates.length).toBe(3); // 7001 twice, 7002 once; the third 7001 is still waiting
    await first!.close();
    expect(await third).toBeInstanceOf(Error);
    expect(thirdDone).toBe(false);
  });
});
