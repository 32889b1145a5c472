import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { LocalRuntime } from '../../../profiles/local/LocalRuntime';
import { prepareDemoEnvironment } from '../../../profiles/local/demoEnvironment';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';

const SOAP_FAULT_IN_200 =
  '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Internal error (injected)</faultstring></s:Fault></s:Body></s:Envelope>';

/**
 * The platforms' own ways of failing (issue 13 §3–§5), through the whole local pipeline: error
 * envelopes inside 200 answers on the token, create and poll calls and on XML pages, tokens that
 * live 20 s, an XML feed paged by page number with no total, and a report URL pre-signed on the
 * API's own host. The warehouse must hold exactly the demo API's ground truth.
 */
describe('platform faults on every kind of call, end to end', () => {
  let api: DemoApi;
  let runtime: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-platform-faults-'));
    api = await startDemoApi({
      faults: [
        { path: '/oauth/token', kind: 'error_in_200', body: '{"error":"server_error"}' },
        { path: '/oauth/token', kind: 'status', status: 503 }, // the second token request
        {
          path: '/amazon/reporting/reports',
          method: 'POST',
          kind: 'error_in_200',
          body: '{"code":"INTERNAL_ERROR","details":"Please retry (injected)"}',
        },
        { path: '/amazon/reporting/reports/', method: 'GET', kind: 'error_in_200', body: '{"code":"INTERNAL_ERROR"}' },
        {
          path: '/feed/v1/',
          kind: 'error_in_200',
          body: '<?xml version="1.0"?><error><code>INTERNAL</code><message>busy (injected)</message></error>',
          skip: 1,
        },
        { path: '/bing/Reporting.svc', kind: 'error_in_200', body: SOAP_FAULT_IN_200, skip: 1 },
      ],
    });
    api.state.pollsUntilDone = 1;
    api.state.accessTokenLifetime = 20;
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

  function stats(accounts: string[], since: string, until: string) {
    let rows = 0;
    let impressions = 0;
    let spendCents = 0;
    for (const account of accounts)
      for (const campaign of api.groundTruth.campaigns(account))
        for (const stat of api.groundTruth.dailyStats(campaign.id, since, until)) {
          rows += 1;
          impressions += stat.impressions;
          spendCents += Math.round(stat.spend * 100);
        }
    return { rows, impressions, spend: (spendCents / 100).toFixed(2) };
  }
  const totals = (table: string) =>
    query(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(spend)::text as spend from ${table}`,
    );

  it('lands exactly the ground truth through errors inside 200s, short-lived tokens, XML paging and pre-signed URLs', async () => {
    const started = Date.now();
    for (const source of ['sponsored_ads', 'bing_reports', 'partner_feed']) {
      const outcome = await runtime.run({ client: 'initech', source });
      expect(outcome.result.status, `${source}: ${JSON.stringify(outcome.result)}`).toBe('succeeded');
    }
    const elapsedMs = Date.now() - started;
    expect(await totals('initech.sponsored_campaign_report')).toEqual(stats(['1001'], '2026-02-01', '2026-02-10'));
    expect(await totals('initech.bing_campaign_performance')).toEqual(stats(['2001'], '2026-02-01', '2026-02-07'));
    expect(await totals('initech.partner_campaign_stats')).toEqual(stats(['1003'], '2026-02-01', '2026-02-10'));

    // Every injected envelope was answered and retried (a fault rule is spent once it fired).
    const answered = (path: string, method?: string) =>
      api.requests.filter((request) => request.path.startsWith(path) && (!method || request.method === method));
    expect(answered('/oauth/token').map((request) => request.status)).toEqual(expect.arrayContaining([200, 503]));
    expect(answered('/amazon/reporting/reports', 'POST').length).toBeGreaterThan(2);
    // The XML feed stopped at its first empty page: per slice, the pages holding rows plus one.
    const feedPages = answered('/feed/v1/').length;
    const rowsPerSlice = [7, 3].map((days) => api.groundTruth.campaigns('1003').length * days);
    expect(feedPages).toBe(rowsPerSlice.reduce((sum, rows) => sum + Math.ceil(rows / 10) + 1, 0) + 1);
    // The pre-signed download on the API's own host went without the Authorization header.
    const downloads = answered('/amazon/files/');
    expect(downloads.length).toBe(2);
    expect(downloads.every((request) => request.headers.authorization === undefined && request.status === 200)).toBe(
      true,
    );
    // Tokens that live 20 s are replaced once per half-lifetime at most, not before every call.
    const apiCalls = answered('/amazon/reporting/').length;
    expect(apiCalls).toBeGreaterThan(6);
    expect(api.state.tokensIssued).toBeLessThanOrEqual(1 + Math.ceil(elapsedMs / 10_000));
  }, 120_000);
});
