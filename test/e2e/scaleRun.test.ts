import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../demo';
import { writeScaleConfig } from '../../demo/scaleConfig';
import { LocalRuntime, type LocalRuntimeOptions } from '../../profiles/local/LocalRuntime';
import { ExecutionStats } from '../../profiles/local/ExecutionStats';
import type { TaskHandler } from '../../profiles/local/ingestStateMachine';
import type { RunSummary } from '../../services/runs/handlers/finalize';

class HttpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Extract.HttpError';
  }
}

/**
 * The extraction of the 2,000-item run: a delivery with no latency (what the loader leaves in run
 * state, then its SendTaskSuccess), except the first of each month, which the "API" refuses.
 * The whole pipeline costs ~30 ms of CPU per item: 2,000 of them would take minutes in CI; the
 * 200-item run below takes the whole pipeline.
 */
const instantDelivery: TaskHandler = async (ctx, input: never) => {
  const { item, taskToken } = input as {
    item: { runId: string; itemId: string; partition: string };
    taskToken: string;
  };
  if (item.partition.endsWith('-01')) throw new HttpError(`HTTP 404 from /scale/v1 for ${item.partition}`);
  await ctx.ports.runState.updateItem(item.runId, item.itemId, { stage: 'loaded', rowsLoaded: 1 });
  setImmediate(() => void ctx.ports.workflow.sendTaskSuccess(taskToken, { itemId: item.itemId, rowsLoaded: 1 }));
  return {};
};

async function openScaleRuntime(dir: string, accounts: number, days: number, options: Partial<LocalRuntimeOptions>) {
  const planned = writeScaleConfig(join(dir, 'config'), { accounts, days });
  const runtime = await LocalRuntime.open({ configDir: join(dir, 'config'), dataDir: join(dir, 'data'), ...options });
  // The scale route takes no credentials; the extractor still wants a stored set.
  await runtime.credentials.put('scale', 'scale_demo', { token: 'none' });
  return { runtime, planned };
}

/** The Map Run's result files, as its ResultWriter wrote them under runs/{runId}/map-results/. */
async function mapResults(runtime: LocalRuntime, dir: string, runId: string) {
  const lake = join(dir, 'data', 'lake');
  const objects = await runtime.ctx.ports.objectStore.list(`runs/${runId}/map-results/`);
  const manifest = objects.find((object) => object.key.endsWith('/manifest.json'))!;
  const files = (
    JSON.parse(readFileSync(join(lake, manifest.key), 'utf8')) as { ResultFiles: Record<string, { Key: string }[]> }
  ).ResultFiles;
  const read = (status: string) =>
    (files[status] ?? []).flatMap(
      (file) => JSON.parse(readFileSync(join(lake, file.Key), 'utf8')) as { Status: string; Output: string }[],
    );
  return { succeeded: read('SUCCEEDED'), failed: read('FAILED') };
}

describe('runs through the Distributed Map, end to end on the local profile', () => {
  let api: DemoApi;
  const dirs: string[] = [];
  const saved = { ...process.env };
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'dif-scale-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
    process.env.DIF_MAP_CONCURRENCY = '32';
  });
  afterAll(async () => {
    await api?.close();
    process.env = saved;
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('runs 2,000 items as child executions, tolerates the failed ones and reports them from run state, with small states and a short parent history', async () => {
    const dir = tempDir();
    const stats = new ExecutionStats();
    const { runtime, planned } = await openScaleRuntime(dir, 20, 100, {
      ingest: { stats, retryIntervalScale: 0.001 },
      decorate: { task: (state, handler) => (state === 'extract' ? instantDelivery : handler) },
    });
    try {
      expect(planned).toBe(2000);
      const outcome = await runtime.run({ client: 'scale' });
      // 20 accounts × the 1st of Jan, Feb, Mar and Apr: refused; every other item delivered.
      expect(outcome.result).toMatchObject({ status: 'failed', error: 'Run.ItemsFailed' });
      expect(outcome.result.status === 'failed' && outcome.result.cause).toMatch(
        /^80 of 2000 items were not delivered\.\nscale\/scale_demo\/daily\/account=\d+\/date=2026-0\d-01: .*HTTP 404 from \/scale\/v1/,
      );
      const items = await runtime.ctx.ports.runState.listItems(outcome.runId);
      expect(items).toHaveLength(2000);
      const failed = items.filter((item) => item.stage === 'failed');
      expect(failed).toHaveLength(80);
      expect(failed.every((item) => item.partition.endsWith('-01') && /HTTP 404/.test(item.error ?? ''))).toBe(true);
      expect(items.filter((item) => item.stage === 'loaded')).toHaveLength(1920);
      const summary = (await runtime.ctx.ports.runState.getRun(outcome.runId))?.summary as unknown as RunSummary;
      expect(summary.items).toMatchObject({ total: 2000, byStage: { loaded: 1920, failed: 80 } });
      // Every item ran as its own child execution; a failed item ends its child through `Item failed`.
      expect(stats.childExecutions).toBe(2000);
      const results = await mapResults(runtime, dir, outcome.runId);
      expect(results.failed).toEqual([]);
      expect(results.succeeded).toHaveLength(2000);
      const statuses = results.succeeded.map((result) => (JSON.parse(result.Output) as { status: string }).status);
      expect(statuses.filter((status) => status === 'failed')).toHaveLength(80);
      // The parent's history is Plan, the Map, Finalize: the same for 2 or 2,000 items.
      expect(stats.parentEvents).toBeLessThan(20);
      expect(stats.largestPayloadBytes).toBeLessThan(32 * 1024);
    } finally {
      await runtime.close();
    }
  }, 90_000);

  it('delivers 200 items through the whole pipeline (demo API → transform → load), each once', async () => {
    const dir = tempDir();
    const stats = new ExecutionStats();
    const { runtime, planned } = await openScaleRuntime(dir, 4, 50, { workerConcurrency: 8, ingest: { stats } });
    try {
      const outcome = await runtime.run({ client: 'scale' });
      expect(outcome.result).toMatchObject({ status: 'succeeded' });
      const rows = await runtime.ctx.ports.warehouse.query(
        'select count(*)::int as n, count(distinct (account_id, date))::int as distinct_rows from scale.daily',
      );
      expect(rows).toEqual([{ n: planned, distinct_rows: planned }]);
      expect(stats.childExecutions).toBe(planned);
      expect((await mapResults(runtime, dir, outcome.runId)).succeeded).toHaveLength(planned);
    } finally {
      await runtime.close();
    }
  }, 120_000);
});
