/**
 * Issue 16 §9: accounts discovered, not listed. Plan requests a discovery stream (Meta-like
 * ad accounts), keeps the records the client's params allow, plans one partition per account,
 * and records the discovery so `dif status` expects exactly those: an account that appears is
 * planned, one that disappears is no gap.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { assessGaps } from '../../../cli/operations/assessGaps';
import { planItems } from '../../support/planItems';
import { plan } from '../../../services/runs/handlers/plan';
import { configFrom, extractorContext, type ExtractorTestContext } from '../../support/extractorContext';
import { readFileSync } from 'node:fs';

const GRAPH_ADS = readFileSync('sources/graph_ads.yml', 'utf8');
const client = (params: string) =>
  `client: c\nsources:\n  graph_ads:\n    params: { business_id: b100, start_date: "2026-02-01", end_date: "2026-02-07"${params} }\n    streams: [campaigns, campaign_insights]\n`;

describe('partitions discovered from a stream (partition.from_stream)', () => {
  let api: DemoApi;
  let env: ExtractorTestContext;
  const contextFor = (params = '') => {
    env = extractorContext(configFrom({ sources: { graph_ads: GRAPH_ADS }, clients: { c: client(params) } }));
    return env;
  };
  const partitionsOf = async (runId: string, stream = 'campaigns') =>
    (await planItems(env.ctx, { runId, client: 'c', stream })).items.map((item) => item.partition);
  const discoveryCalls = () => api.requests.filter((request) => request.path.endsWith('/businesses/b100/adaccounts'));

  beforeAll(async () => {
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(() => {
    api.requests.length = 0;
    api.faults.clear();
    api.state.adAccounts.clear();
  });
  afterEach(async () => {
    await env?.close();
  });

  it('plans one partition per active account, narrowed by the client params, with one discovery call per run', async () => {
    contextFor();
    const { items } = await planItems(env.ctx, { runId: 'r1', client: 'c' });
    // 1009 is closed (account_status 101): filtered out by include: { account_status: [1] }.
    expect(items.map((item) => `${item.stream}/${item.partition}`)).toEqual([
      'campaigns/account_id=1001',
      'campaigns/account_id=1002',
      'campaigns/account_id=1003',
      'campaign_insights/account_id=1001/slice=2026-02-01..2026-02-07',
      'campaign_insights/account_id=1002/slice=2026-02-01..2026-02-07',
      'campaign_insights/account_id=1003/slice=2026-02-01..2026-02-07',
    ]);
    expect(items[0]!.partitionValues).toEqual({ account_id: '1001' });
    // Two streams discover from ad_accounts: its two pages (limit 2) are requested once.
    expect(discoveryCalls()).toHaveLength(2);
    expect(
      await env.ctx.ports.runState.getDiscovery({ client: 'c', source: 'graph_ads', stream: 'campaigns' }),
    ).toMatchObject({
      values: [{ account_id: '1001' }, { account_id: '1002' }, { account_id: '1003' }],
      found: 4,
      runId: 'r1',
    });
    await env.close();

    contextFor(', account_ids: "1003,1002,1009"');
    expect(await partitionsOf('r2')).toEqual(['account_id=1002', 'account_id=1003']);
    await env.close();
    contextFor(', exclude_account_ids: "1001"');
    expect(await partitionsOf('r3')).toEqual(['account_id=1002', 'account_id=1003']);
  });

  it('plans an account that appears; one that disappears is neither planned nor a gap', async () => {
    contextFor();
    const { runState } = env.ctx.ports;
    const open = (...ids: string[]) =>
      api.state.adAccounts.set(
        'b100',
        ids.map((id) => ({ account_id: id, name: `Account ${id}`, account_status: 1 })),
      );
    open('1001', '1002');
    const first = await planItems(env.ctx, { runId: 'r1', client: 'c', stream: 'campaigns' });
    expect(first.items.map((item) => item.partition)).toEqual(['account_id=1001', 'account_id=1002']);
    // 1001 loads; 1002 fails: a gap while 1002 is expected.
    for (const item of first.items)
      await runState.updateItem('r1', item.itemId, {
        ...(item.partition === 'account_id=1001'
          ? { stage: 'loaded', rowsLoaded: 3 }
          : { stage: 'failed', error: 'HTTP 500' }),
      });
    const gapsNow = await assessGaps(env.ctx.config, runState, new Date());
    expect(gapsNow.flatMap((stream) => stream.gaps.map((gap) => gap.partition))).toEqual(['account_id=1002']);

    // 1002 is closed and 1003 opened before the next run.
    open('1001', '1003');
    const second = await planItems(env.ctx, { runId: 'r2', client: 'c', stream: 'campaigns' });
    expect(second.items.map((item) => item.partition)).toEqual(['account_id=1001', 'account_id=1003']);
    expect(await assessGaps(env.ctx.config, runState, new Date())).toEqual([]);
  });

  it('plans the accounts discovered last time when the discovery call keeps failing, and fails Plan when there is none', async () => {
    contextFor();
    api.faults.add({ path: '/adaccounts', kind: 'status', status: 503, times: 100 });
    await expect(partitionsOf('r1')).rejects.toThrow(
      /discovering the partitions of c\/graph_ads\/campaigns failed, and no earlier discovery is recorded to plan instead: .*503/,
    );
    api.faults.clear();
    expect(await partitionsOf('r2')).toHaveLength(3);
    api.faults.add({ path: '/adaccounts', kind: 'status', status: 503, times: 100 });
    expect(await partitionsOf('r3')).toEqual(['account_id=1001', 'account_id=1002', 'account_id=1003']);
  }, 60_000);

  it('fails Plan saying what to fix when the discovered records lack the field or the filters keep none', async () => {
    const wrongField = GRAPH_ADS.replace('fields: { account_id: account_id }', 'fields: { account_id: accountId }');
    env = extractorContext(configFrom({ sources: { graph_ads: wrongField }, clients: { c: client('') } }));
    await expect(partitionsOf('r1')).rejects.toThrow(
      'discovered record 1 has no value at "accountId" (partition.fields.account_id); fields must name a field every record has, e.g. id',
    );
    await env.close();
    contextFor(', account_ids: "4242"');
    await expect(partitionsOf('r2')).rejects.toThrow(
      "stream ad_accounts returned 4 record(s) and partition.include/exclude kept none; check the filters and the client's params they read",
    );
  });

  it('refuses to plan a discovered stream when the caller wired no discovery, before the run is recorded', async () => {
    // Plan (services/runs) cannot request an API itself: each profile hands it the extractor's discovery.
    contextFor();
    await expect(plan(env.ctx, { runId: 'r-unwired', client: 'c', stream: 'campaigns' })).rejects.toThrow(
      /streams\.campaigns\.partition .* discovers its partitions \(partition\.from_stream\), but Plan was called without discoverPartitions/,
    );
    expect(discoveryCalls()).toHaveLength(0);
    expect(await env.ctx.ports.runState.getRun('r-unwired')).toBeUndefined();
  });
});
