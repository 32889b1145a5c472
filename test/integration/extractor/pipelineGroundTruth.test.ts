import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { LocalRuntime } from '../../../cli/localRuntime/LocalRuntime';
import { prepareDemoEnvironment } from '../../../cli/localRuntime/demoEnvironment';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';

/**
 * Every example source through the whole local pipeline (the deployed state machine, queues,
 * transformer, loader) with faults injected on every kind of endpoint: the warehouse must hold
 * exactly the demo API's ground truth, and a second run must not change it.
 */
describe('example sources end to end with faults on', () => {
  let api: DemoApi;
  let runtime: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-ground-truth-'));
    api = await startDemoApi({
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

  it('loads exactly the ground truth, and a second run changes nothing', async () => {
    const first = await runtime.run();
    expect(first.result.status, JSON.stringify(first.result)).toBe('succeeded');
    const expected = {
      ...truth(),
      'acme.campaigns': { rows: api.groundTruth.campaigns('1001').length },
      'acme.accounts': { rows: 3 },
    };
    expect(await warehouse()).toEqual(expected);
    // Finalize's totals count the child table's rows under its own name.
    const summary = (await runtime.ctx.ports.runState.getRun(first.runId))?.summary as {
      rowsByTable: Record<string, number>;
    };
    expect(summary.rowsByTable['initech.campaign_actions']).toBe(expected['initech.campaign_actions'].rows);
    // Every fault fired (the faults list is spent) and was survived.
    const statuses = api.requests.map((request) => request.status);
    expect(statuses).toContain(503);
    expect(statuses).toContain(429);
    expect(statuses).toContain(403);
    expect(statuses).toContain(0); // resets
    const second = await runtime.run();
    expect(second.result.status).toBe('succeeded');
    expect(await warehouse()).toEqual(expected);
  }, 120_000);
});
