/**
 * Issue 16 §1, §5–7 against the demo API: paging anywhere in the request, values read with a
 * pattern, structured usage headers, and rate limits per kind of request shared through Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareDemoEnvironment } from '../../../profiles/local/demoEnvironment';
import { LocalRuntime } from '../../../profiles/local/LocalRuntime';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../../demo';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { extract } from '../../../services/extractor/handlers/extract';
import { planItems } from '../../support/planItems';
import { pollJob } from '../../../services/extractor/handlers/pollJob';
import { startJob } from '../../../services/extractor/handlers/startJob';
import { RedisRateLimiter } from '../../../shared/adapters/redis';
import { loadConfig } from '../../../shared/config';
import { rawManifest } from '../../../shared/messages/rawReady';
import type { RateLimiter } from '../../../shared/ports';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import {
  configFrom,
  extractorContext,
  MemorySecrets,
  readObject,
  type ExtractorTestContext,
} from '../../support/extractorContext';
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

/** Rows the demo's GA4-like property holds for a date range: one per campaign and day. */
function ga4Truth(property: string, since: string, until: string) {
  const rows = api.groundTruth
    .campaigns(property)
    .flatMap((campaign) => api.groundTruth.dailyStats(campaign.id, since, until));
  return {
    rows: rows.length,
    impressions: rows.reduce((sum, row) => sum + row.impressions, 0),
    clicks: rows.reduce((sum, row) => sum + row.clicks, 0),
  };
}

describe('paging inside the request body (analytics_data, GA4 runReport)', () => {
  it('walks offset/limit in the JSON body through the whole pipeline and loads exactly the ground truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dif-ga4-'));
    const runtime = await LocalRuntime.open({ configDir: process.cwd(), dataDir: dir });
    try {
      await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
      const before = api.requests.length;
      const outcome = await runtime.run({ client: 'initech', source: 'analytics_data' });
      expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
      const [loaded] = await runtime.ctx.ports.warehouse.query(
        'select count(*)::int as rows, sum(impressions)::int as impressions, sum(clicks)::int as clicks from initech.ga4_campaign_days',
      );
      expect(loaded).toEqual(ga4Truth('1002', '2026-02-01', '2026-02-10'));
      // GA4 prints days as YYYYMMDD and the property only in the path: typed dates, the property a column.
      const [shape] = await runtime.ctx.ports.warehouse.query(
        "select min(date)::text as first, max(date)::text as last, string_agg(distinct property_id, ',') as properties from initech.ga4_campaign_days",
      );
      expect(shape).toEqual({ first: '2026-02-01', last: '2026-02-10', properties: '1002' });
      // Every page was a POST with nothing in the query: offset and limit travelled in the body.
      const calls = api.requests.slice(before).filter((request) => request.path.includes(':runReport'));
      const truth = [ga4Truth('1002', '2026-02-01', '2026-02-07'), ga4Truth('1002', '2026-02-08', '2026-02-10')];
      expect(calls).toHaveLength(truth.reduce((pages, slice) => pages + Math.ceil(slice.rows / 5), 0));
      expect(calls.every((call) => call.method === 'POST' && call.query === '' && call.status === 200)).toBe(true);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('puts {{ page.offset }} where the request says (in: template), and stops on a short page', async () => {
    const source = `
name: ga4
base_url: "{{ env.DIF_DEMO_API_URL }}/analytics/v1beta"
auth: { type: bearer, token: "{{ secrets.access_token }}" }
streams:
  days:
    request:
      method: POST
      path: "/properties/1003:runReport"
      body: { type: json, value: { dateRanges: [{ startDate: "2026-02-01", endDate: "2026-02-09" }], offset: "{{ page.offset }}", limit: "4" } }
    records: $.rows
    expect_records: allow_missing
    paginate: { type: offset, in: template, limit: 4, stop_on_short_page: true }
    columns: { campaign_id: { type: varchar(32), from: dimensionValues.1.value } }
    load: { table: days }
`;
    const env = contextFor(
      configFrom({ sources: { ga4: source }, clients: { c: 'client: c\nsources:\n  ga4: {}\n' } }),
      new MemorySecrets({ ga4: DEMO_CREDENTIALS.analytics_data! }),
    );
    const { items } = await planItems(env.ctx, { runId: 't1', client: 'c', source: 'ga4' });
    const output = await extract(env.ctx, { item: items[0]!, taskToken: 'tok' });
    const truth = ga4Truth('1003', '2026-02-01', '2026-02-09');
    expect(truth.rows % 4).not.toBe(0); // so the last page is short, and ends paging without a total
    const rows: string[] = [];
    for (const entry of rawManifest.parse(JSON.parse(await readObject(env.ctx, output.raw.manifestKey))).objects) {
      const page = JSON.parse(await readObject(env.ctx, entry.key)) as {
        rows?: { dimensionValues: { value: string }[] }[];
      };
      rows.push(...(page.rows ?? []).map((row) => row.dimensionValues.map((value) => value.value).join('/')));
    }
    expect(rows).toHaveLength(truth.rows);
    expect(new Set(rows).size).toBe(truth.rows);
    expect(output.raw.pages).toBe(Math.ceil(truth.rows / 4));
  });
});

describe('usage headers with structure (graph_ads, Meta X-Business-Use-Case-Usage)', () => {
  it("slows the fleet down when the work item's own account nears its quota, not another account's", async () => {
    const env = contextFor();
    const slowed: [string, number][] = [];
    const limiter = env.ctx.ports.rateLimiter;
    limiter.slowDown = async (scope, factor) => void slowed.push([scope, factor]);
    api.state.businessUseCaseUsage.set('1003', 91);
    const { items } = await planItems(env.ctx, {
      runId: 'u1',
      client: 'initech',
      source: 'graph_ads',
      stream: 'campaigns',
    });
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
    const one = (await planItems(env.ctx, { runId: 'k1', client: 'one', source: 'amz' })).items;
    const two = (await planItems(env.ctx, { runId: 'k2', client: 'two', source: 'amz' })).items;

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
