import { planItems } from '../../support/planItems';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { loadConfig } from '../../../shared/config';
import { rawManifest, rawReady } from '../../../shared/messages/rawReady';
import { extract } from '../../../services/extractor/handlers/extract';
import { finalize } from '../../../services/runs/handlers/finalize';
import { plan } from '../../../services/runs/handlers/plan';
import { extractorContext, readObject, type ExtractorTestContext } from '../../support/extractorContext';

/** The project's own sources/ and clients/ against the demo API: plan → extract → finalize. */
describe('extractor walking skeleton against the demo API', () => {
  let api: DemoApi;
  let env: ExtractorTestContext;

  beforeAll(async () => {
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
    env = extractorContext(loadConfig(process.cwd()));
  });
  afterAll(async () => {
    await env?.close();
    await api?.close();
  });

  it('plans one item per client × source × stream and records them', async () => {
    const { runId, items, itemCount } = await planItems(env.ctx, {
      runId: 'r-plan',
      trigger: 'test',
      source: 'demo_ads',
    });
    expect(runId).toBe('r-plan');
    expect(itemCount).toBe(6);
    expect(items.map((item) => item.label)).toContain('acme/demo_ads/campaigns/all');
    expect(items.every((item) => item.extraction === 'sync')).toBe(true);
    const stored = await env.ctx.ports.runState.listItems('r-plan');
    expect(stored.map((item) => item.stage)).toEqual(Array(6).fill('planned'));
    await expect(plan(env.ctx, { runId: 'r-x', client: 'nobody' })).rejects.toThrow(
      /no client named "nobody" \(known: acme, globex, initech\)/,
    );
    await expect(plan(env.ctx, { runId: 'r-x', stream: 'campaignz' })).rejects.toThrow(/no stream named "campaignz"/);
  });

  it('extracts every stream of a client, page by page, and the raw records match the ground truth', async () => {
    const { runId, items } = await planItems(env.ctx, { runId: 'r-acme', client: 'acme' });
    const truth = api.groundTruth;
    const expected: Record<string, number> = {
      accounts: truth.accounts('b100')!.length,
      campaigns: truth.campaigns('1001').length,
      campaign_daily_stats: truth.campaigns('1001').length * 14,
      daily_channel_report: truth.reportRows('ADV-ACME', '2026-01-01', '2026-01-14').length,
    };
    for (const item of items) {
      const output = await extract(env.ctx, { item, taskToken: `token-${item.itemId}` });
      const manifest = rawManifest.parse(JSON.parse(await readObject(env.ctx, output.raw.manifestKey)));
      expect(manifest.objects.length).toBe(output.raw.objects);
      const pages = manifest.objects.map((entry) => entry.page);
      expect(pages).toEqual([...pages].sort((a, b) => a - b));
      let records = 0;
      for (const entry of manifest.objects) {
        expect(entry.key).toMatch(
          new RegExp(`^raw/acme/${item.source}/${item.stream}/dt=all/run=${runId}/${item.itemId}-\\d{6}\\.(json|csv)$`),
        );
        const text = await readObject(env.ctx, entry.key);
        if (item.stream === 'daily_channel_report') records += text.trim().split('\n').length - 1;
        else records += (JSON.parse(text) as { data: unknown[] }).data.length;
        if (item.stream === 'campaign_daily_stats') expect(entry.context?.campaign_id).toMatch(/^1001\d{3}$/);
      }
      expect(records, item.label).toBe(expected[item.stream]);
      const stored = await env.ctx.ports.runState.getItem(runId, item.itemId);
      expect(stored).toMatchObject({
        stage: 'extracted',
        attempts: 1,
        pages: output.raw.pages,
        rawBytes: output.raw.bytes,
      });
    }
    const messages = await env.ctx.ports.queues.transform.receive({ maxMessages: 10 });
    const parsed = messages.map((message) => rawReady.parse(JSON.parse(message.body)));
    expect(parsed.map((message) => message.stream).sort()).toEqual(Object.keys(expected).sort());
    expect(parsed.every((message) => message.taskToken === `token-${message.itemId}`)).toBe(true);
    // accounts: 3 records at limit 2 → 2 pages; campaigns are cursor-paged two at a time.
    const accounts = parsed.find((message) => message.stream === 'accounts')!;
    expect(accounts.raw.pages).toBe(2);
    for (const message of messages) await env.ctx.ports.queues.transform.ack(message.receiptHandle);
  });

  it('never sends credentials anywhere but the API headers', async () => {
    const token = api.requests.find((request) => request.path.includes('/ads/'))!;
    expect(token.headers.authorization).toMatch(/^Bearer /);
    const keys = await env.ctx.ports.objectStore.list('raw/');
    for (const { key } of keys.slice(0, 5)) expect(await readObject(env.ctx, key)).not.toContain('demo-ads-access');
  });

  it('finalize summarises the run and marks items that never loaded as failed', async () => {
    const summary = await finalize(env.ctx, { runId: 'r-acme' });
    expect(summary.items.total).toBe(4);
    expect(summary.items.byStage).toEqual({ extracted: 4 });
    expect(summary.status).toBe('failed');
    expect(summary.failed[0]!.error).toMatch(/did not finish \(stopped at stage extracted\)/);
    expect(summary.pages).toBeGreaterThan(4);
    const run = await env.ctx.ports.runState.getRun('r-acme');
    expect(run?.status).toBe('failed');
  });
});
