import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../demo';
import { LocalRuntime } from '../../profiles/local/LocalRuntime';
import { prepareDemoEnvironment } from '../../profiles/local/demoEnvironment';
import { consumeMessage } from '../../shared/runtime/consumeMessage';
import { load } from '../../services/loader/handlers/load';

/**
 * The walking skeleton's promise: one command runs the demo clients end to end, the data is
 * queryable, and neither a second run nor a redelivered load message duplicates anything.
 */
describe('demo pipeline, end to end on the local profile', () => {
  let api: DemoApi;
  let runtime: LocalRuntime;
  let dir: string;
  const loadMessages: string[] = [];

  const count = async (table: string): Promise<number> =>
    Number((await runtime.ctx.ports.warehouse.query(`select count(*) as n from ${table}`))[0]!.n);
  const counts = async () => ({
    campaigns: await count('acme.campaigns'),
    stats: await count('acme.campaign_daily_stats'),
    report: await count('acme.daily_channel_report'),
    ledger: await count('acme.dif_load_ledger'),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-e2e-'));
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
    runtime = await LocalRuntime.open({ configDir: process.cwd(), dataDir: dir });
    await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
    // Keep a copy of every message the transformer hands the loader, to redeliver it later.
    const queue = runtime.ctx.ports.queues.load;
    const send = queue.send.bind(queue);
    queue.send = async (body, options) => {
      loadMessages.push(body);
      return send(body, options);
    };
  });
  afterAll(async () => {
    await runtime?.close();
    await api?.close();
    delete process.env.DIF_DEMO_API_URL;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads every acme item and reports the run as succeeded', async () => {
    const outcome = await runtime.run({ client: 'acme' });
    expect(outcome.result).toMatchObject({ status: 'succeeded' });
    const items = await runtime.ctx.ports.runState.listItems(outcome.runId);
    expect(items.length).toBeGreaterThan(3);
    expect(items.every((item) => item.stage === 'loaded')).toBe(true);
    const run = await runtime.ctx.ports.runState.getRun(outcome.runId);
    expect(run?.status).toBe('succeeded');
    // clients/acme.yml ingests the campaigns of account 1001.
    expect(await count('acme.campaigns')).toBe(api.groundTruth.campaigns('1001').length);
  });

  it('leaves the same row counts after a second run', async () => {
    // The ledger may gain rows: a re-run re-extracts the lookback window as a new batch.
    const { ledger: _ledger, ...before } = await counts();
    const outcome = await runtime.run({ client: 'acme' });
    expect(outcome.result.status).toBe('succeeded');
    const { ledger: _after, ...after } = await counts();
    expect(after).toEqual(before);
  });

  it('treats a redelivered load message as a no-op', async () => {
    const before = await counts();
    expect(loadMessages.length).toBeGreaterThan(0);
    // Every demo table merges on its key, so equal counts alone would not prove exactly-once:
    // the warehouse itself must recognise each batch as already loaded.
    const { warehouse } = runtime.ctx.ports;
    const statuses: string[] = [];
    const loadOnce = warehouse.load.bind(warehouse);
    warehouse.load = async (request) => {
      const result = await loadOnce(request);
      statuses.push(result.status);
      return result;
    };
    try {
      for (const body of loadMessages) {
        await consumeMessage(runtime.ctx, 'load', { id: 'redelivery', body, receiveCount: 2 }, load, {
          maxReceiveCount: 5,
        });
      }
    } finally {
      warehouse.load = loadOnce;
    }
    expect(statuses).toHaveLength(loadMessages.length);
    expect(new Set(statuses)).toEqual(new Set(['already_loaded']));
    expect(await counts()).toEqual(before);
  });

  it('fails the run with a readable cause naming the item when one item cannot be delivered, and keeps the others', async () => {
    await runtime.credentials.put('acme', 'demo_reports', { api_key: 'revoked-key-000' });
    const outcome = await runtime.run({ client: 'acme' });
    expect(outcome.result).toMatchObject({ status: 'failed', error: 'Run.ItemsFailed' });
    const cause = outcome.result.status === 'failed' ? outcome.result.cause : '';
    expect(cause).toMatch(/^1 of \d+ items were not delivered\./);
    expect(cause).toContain('acme/demo_reports/daily_channel_report/all: authentication failed');
    // Finalize's summary names tables as the warehouse does.
    const summary = (await runtime.ctx.ports.runState.getRun(outcome.runId))?.summary as {
      rowsByTable: Record<string, number>;
    };
    expect(Object.keys(summary.rowsByTable).sort()).toEqual([
      'acme.accounts',
      'acme.campaign_daily_stats',
      'acme.campaigns',
    ]);
  });
});
