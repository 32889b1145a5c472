import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { LocalRuntime } from '../../../profiles/local/LocalRuntime';
import { prepareDemoEnvironment } from '../../../profiles/local/demoEnvironment';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { assessGaps } from '../../../cli/operations/assessGaps';

/**
 * Every example source through the whole local pipeline (the deployed state machine, queues,
 * transformer, loader) with faults injected on every kind of endpoint, and the demo's platform
 * failures on (a report job the platform fails once, a slice whose 5xx storm outlasts one run):
 * the first run fails naming the gap, a plain re-run fills it, and then the warehouse holds
 * exactly the demo API's ground truth; a further run does not change it.
 */
describe('example sources end to end with faults on', () => {
  let api: DemoApi;
  let runtime: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-ground-truth-'));
    api = await startDemoApi({
      platformFailures: true,
      faults: [
        { path: '/accounts/1001/campaigns', kind: 'status', status: 503 },
        { path: '/campaigns/1002001/stats', kind: 'status', status: 429, retryAfter: '0' },
        { path: '/businesses/b100/accounts', kind: 'error_in_200' },
        { path: '/daily.csv', kind: 'reset', skip: 1 },
        { path: '/campaigns/2002001/stats', kind: 'truncate' },
        { path: '/amazon/files/', kind: 'status', status: 403, body: 'Request has expired' },
        { path: '/bing/files/', kind: 'truncate' },
      ],
    });
    api.state.pollsUntilDone = 1;
    process.env.DIF_DEMO_API_URL = api.url;
    clearOAuthTokenCache();
    runtime = await LocalRuntime.open({ configDir: process.cwd(), dataDir: dir });
    await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
  });
  afterAll(async () => {
    await runtime?.close();
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (sql: string): Promise<Record<string, unknown>> =>
    (await runtime.ctx.ports.warehouse.query(sql))[0]!;

  /** Sums the demo data the way the warehouse should hold it. */
  function truth() {
    const data = api.groundTruth;
    const stats = (accounts: string[], since: string, until: string) => {
      let rows = 0;
      let impressions = 0;
      let spendCents = 0;
      for (const account of accounts)
        for (const campaign of data.campaigns(account))
          for (const stat of data.dailyStats(campaign.id, since, until)) {
            rows += 1;
            impressions += stat.impressions;
            spendCents += Math.round(stat.spend * 100);
          }
      return { rows, impressions, spend: (spendCents / 100).toFixed(2) };
    };
    const report = (advertiser: string, start: string, end: string) => {
      const rows = data.reportRows(advertiser, start, end);
      return { rows: rows.length, sessions: rows.reduce((sum, row) => sum + row.sessions, 0) };
    };
    const actions = (accounts: string[], since: string, until: string) => {
      let rows = 0;
      let value = 0;
      for (const account of accounts)
        for (const campaign of data.campaigns(account))
          for (const stat of data.dailyStats(campaign.id, since, until))
            for (const action of data.dailyActions(campaign.id, stat)) {
              rows += 1;
              value += action.value;
            }
      return { rows, value };
    };
    return {
      'initech.campaign_actions': actions(['1002', '1003'], '2026-02-01', '2026-02-10'),
      'acme.campaign_daily_stats': stats(['1001'], '2026-01-01', '2026-01-14'),
      'globex.campaign_daily_stats': stats(['2002'], '2026-01-10', '2026-01-20'),
      'initech.campaign_insights': stats(['1002', '1003'], '2026-02-01', '2026-02-10'),
      'initech.sponsored_campaign_report': stats(['1001'], '2026-02-01', '2026-02-10'),
      'initech.bing_campaign_performance': stats(['2001'], '2026-02-01', '2026-02-07'),
      'initech.tiktok_campaign_daily': stats(['2001', '2002'], '2026-02-01', '2026-02-07'),
      'acme.daily_channel_report': report('ADV-ACME', '2026-01-01', '2026-01-14'),
      'globex.daily_channel_report': report('ADV-GLOBEX', '2025-12-01', '2025-12-31'),
    };
  }

  async function warehouse() {
    const result: Record<string, unknown> = {};
    for (const [table, expected] of Object.entries(truth())) {
      result[table] =
        'sessions' in expected
          ? await query(`select count(*)::int as rows, sum(sessions)::int as sessions from ${table}`)
          : 'value' in expected
            ? await query(`select count(*)::int as rows, sum(value)::int as value from ${table}`)
            : await query(
                `select count(*)::int as rows, sum(impressions)::int as impressions, sum(spend)::text as spend from ${table}`,
              );
    }
    result['acme.campaigns'] = await query('select count(*)::int as rows from acme.campaigns');
    result['acme.accounts'] = await query('select count(*)::int as rows from acme.accounts');
    return result;
  }

  const GAP = 'initech/graph_ads/campaign_insights/account_id=1002/slice=2026-02-01..2026-02-07';

  it('fails the first run naming the gap, fills it with a plain re-run, then holds exactly the ground truth', async () => {
    const expected = {
      ...truth(),
      'acme.campaigns': { rows: api.groundTruth.campaigns('1001').length },
      'acme.accounts': { rows: 3 },
    };
    const first = await runtime.run();
    expect(first.result).toMatchObject({ status: 'failed', error: 'Run.ItemsFailed' });
    const cause = first.result.status === 'failed' ? first.result.cause : '';
    expect(cause).toMatch(/^1 of \d+ items were not delivered\./);
    expect(cause).toContain(`${GAP}: `);
    expect(cause).toContain(`1 partition(s) have never loaded (gaps): ${GAP}.`);
    const state = runtime.ctx.ports.runState;
    expect((await state.getRun(first.runId))?.summary).toMatchObject({ gaps: [{ label: GAP }] });
    // `dif status` shows the gap with its error until a run fills it.
    expect(await assessGaps(runtime.ctx.config, state, new Date())).toEqual([
      {
        client: 'initech',
        source: 'graph_ads',
        stream: 'campaign_insights',
        gaps: [
          expect.objectContaining({
            partition: GAP.split('/').slice(3).join('/'),
            error: expect.stringMatching(/503/),
          }),
        ],
      },
    ]);
    // The report job the platform failed was created again within the run, and delivered.
    const items = await state.listItems(first.runId);
    const report = items.find(
      (item) => item.partition === 'slice=2026-02-01..2026-02-07' && item.source === 'sponsored_ads',
    );
    expect(report).toMatchObject({ stage: 'loaded', resubmits: 1, attempts: 3 }); // two StartJobs, one Extract;
    expect(
      api.requests.filter(
        (request) => request.path.startsWith('/amazon/reporting/reports') && request.method === 'POST',
      ),
    ).toHaveLength(3);
    // The gap is real: the week is missing from the warehouse.
    const short = (await warehouse())['initech.campaign_insights'] as { rows: number };
    expect(short.rows).toBeLessThan(expected['initech.campaign_insights'].rows);

    // The documented user action: run again. The week before the lookback window is planned again.
    const second = await runtime.run();
    expect(second.result.status, JSON.stringify(second.result)).toBe('succeeded');
    expect(
      (await state.listItems(second.runId)).map(
        (item) => `${item.client}/${item.source}/${item.stream}/${item.partition}`,
      ),
    ).toContain(GAP);
    expect(await warehouse()).toEqual(expected);
    expect(await assessGaps(runtime.ctx.config, state, new Date())).toEqual([]);
    // Finalize's totals count the child table's rows under its own name.
    const summary = (await state.getRun(second.runId))?.summary as { rowsByTable: Record<string, number> };
    expect(summary.rowsByTable['initech.campaign_actions']).toBeGreaterThan(0);
    // Every fault fired (the faults list is spent) and was survived.
    const statuses = api.requests.map((request) => request.status);
    expect(statuses).toContain(503);
    expect(statuses).toContain(429);
    expect(statuses).toContain(403);
    expect(statuses).toContain(0); // resets

    // Filled, the next run re-reads only the lookback window of that stream, and changes nothing.
    const third = await runtime.run();
    expect(third.result.status).toBe('succeeded');
    const thirdInsights = (await state.listItems(third.runId)).filter((item) => item.stream === 'campaign_insights');
    expect(thirdInsights.map((item) => item.partition).sort()).toEqual([
      'account_id=1002/slice=2026-02-08..2026-02-10',
      'account_id=1003/slice=2026-02-08..2026-02-10',
    ]);
    expect(await warehouse()).toEqual(expected);
  }, 180_000);

  // Issue 16 §2-4 on the demo platforms: values only the request carries, platform formats, actions[].
  it('loads what the platforms print in their own forms as the ground truth says', async () => {
    const data = api.groundTruth;
    const purchases = (accounts: string[], since: string, until: string) => {
      let total = 0;
      let days = 0;
      for (const account of accounts)
        for (const campaign of data.campaigns(account))
          for (const stat of data.dailyStats(campaign.id, since, until)) {
            const purchase = data.dailyActions(campaign.id, stat).find((action) => action.action_type === 'purchase');
            if (purchase) [total, days] = [total + purchase.value, days + 1];
          }
      return { total, days };
    };
    // Meta-like: purchases read from actions[] into a column of the insights table.
    const meta = purchases(['1002', '1003'], '2026-02-01', '2026-02-10');
    expect(
      await query('select sum(purchases)::int as total, count(purchases)::int as days from initech.campaign_insights'),
    ).toEqual(meta);
    // Microsoft-like: M/D/YYYY days land as dates, "--" conversions as NULL.
    const bing = purchases(['2001'], '2026-02-01', '2026-02-07');
    expect(
      await query(
        'select sum(conversions)::int as total, count(conversions)::int as days, min(date)::text as first, max(date)::text as last from initech.bing_campaign_performance',
      ),
    ).toEqual({ ...bing, first: '2026-02-01', last: '2026-02-07' });
    // TikTok-like: the advertiser id comes from the request; ctr "2.15" is the fraction 0.0215.
    const rows = await runtime.ctx.ports.warehouse.query(
      'select advertiser_id, count(*)::int as n, min(date)::text as first from initech.tiktok_campaign_daily group by 1 order by 1',
    );
    expect(rows).toEqual(
      ['2001', '2002'].map((advertiser) => ({
        advertiser_id: advertiser,
        n: data.campaigns(advertiser).length * 7,
        first: '2026-02-01',
      })),
    );
    const ctr = await query('select max(ctr)::float8 as max from initech.tiktok_campaign_daily');
    expect(ctr.max).toBeGreaterThan(0);
    expect(ctr.max).toBeLessThan(0.1);
  });
});
