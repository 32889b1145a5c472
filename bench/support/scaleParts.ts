import '../../shared/runtime/polyfills';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoApi } from '../../demo';
import { writeScaleConfig } from '../../demo/scaleConfig';
import { ExecutionStats } from '../../profiles/local/ExecutionStats';
import { LocalRuntime } from '../../profiles/local/LocalRuntime';
import type { TaskHandler } from '../../profiles/local/ingestStateMachine';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';

export interface ScalePartOptions {
  dir: string;
  items: number;
  planned: number;
  gib: number;
  progress: (text: string) => void;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024);

/** Wraps a handler to add its time to `timings[state]`. */
function timed(timings: Record<string, number>, state: string, handler: TaskHandler): TaskHandler {
  return async (ctx, input) => {
    const started = performance.now();
    try {
      return await handler(ctx, input);
    } finally {
      timings[state] = (timings[state] ?? 0) + performance.now() - started;
    }
  };
}

/**
 * The zero-latency extraction of the orchestration part: what the pipeline would leave in run
 * state (the item loaded) and the loader's SendTaskSuccess, at once, with no API, queue or
 * warehouse in between.
 */
const instantDelivery: TaskHandler = async (ctx: ServiceContext, input: never) => {
  const { item, taskToken } = input as { item: { runId: string; itemId: string }; taskToken: string };
  await ctx.ports.runState.updateItem(item.runId, item.itemId, { stage: 'loaded', rowsLoaded: 1 });
  setImmediate(() => void ctx.ports.workflow.sendTaskSuccess(taskToken, { itemId: item.itemId, rowsLoaded: 1 }));
  return {};
};

async function runPart(
  options: ScalePartOptions,
  items: number,
  stubExtraction: boolean,
): Promise<Record<string, unknown>> {
  const accounts = Math.max(1, Math.round(items / 100));
  const planned = writeScaleConfig(join(options.dir, 'config'), { accounts, days: Math.round(items / accounts) });
  const api = await startDemoApi();
  process.env.DIF_DEMO_API_URL = api.url;
  const stats = new ExecutionStats();
  const timings: Record<string, number> = {};
  mkdirSync(options.dir, { recursive: true });
  const runtime = await LocalRuntime.open({
    configDir: join(options.dir, 'config'),
    dataDir: join(options.dir, 'data'),
    workerConcurrency: 8,
    // DATABASE_URL: a PostgreSQL server instead of the embedded PGlite (loads in parallel).
    databaseUrl: process.env.DATABASE_URL || undefined,
    ingest: { stats },
    decorate: {
      task: (state, handler) =>
        timed(timings, state, stubExtraction && state === 'extract' ? instantDelivery : handler),
    },
  });
  try {
    await runtime.credentials.put('scale', 'scale_demo', { token: 'none' });
    const ticker = setInterval(
      () =>
        options.progress(
          `  ${stats.childExecutions}/${planned} child executions started, rss ${round(process.memoryUsage().rss / 2 ** 20)} MB`,
        ),
      10_000,
    );
    const started = performance.now();
    const outcome = await runtime.run({ client: 'scale' }).finally(() => clearInterval(ticker));
    const wallMs = performance.now() - started;
    const summary = outcome.result.status === 'succeeded' ? (outcome.result.output as { items: unknown }) : undefined;
    const mapMs = wallMs - (timings.plan ?? 0) - (timings.finalize ?? 0);
    return {
      items: planned,
      status: outcome.result.status,
      ...(outcome.result.status === 'failed' ? { cause: outcome.result.cause.slice(0, 500) } : {}),
      tally: summary?.items,
      wall_s: round(wallMs / 1000),
      plan_s: round((timings.plan ?? 0) / 1000, 2),
      finalize_s: round((timings.finalize ?? 0) / 1000, 2),
      map_run_s: round(mapMs / 1000),
      // With a zero-latency extraction the Map Run's time is orchestration and bookkeeping alone.
      ...(stubExtraction
        ? { overhead_ms_per_item: round(mapMs / planned, 3) }
        : { wall_ms_per_item: round(wallMs / planned, 2) }),
      map_concurrency: Number(process.env.DIF_MAP_CONCURRENCY ?? 8),
      warehouse: process.env.DATABASE_URL ? 'postgres server' : 'pglite',
      peak_rss_mb: peakRssMb(),
      largest_state_payload_bytes: stats.largestPayloadBytes,
      largest_state_payload_at: stats.largestPayloadAt,
      parent_history_events: stats.parentEvents,
      child_executions: stats.childExecutions,
    };
  } finally {
    await runtime.close();
    await api.close();
  }
}

/** One part of bench:scale, in this process. */
export async function runScalePart(part: string, options: ScalePartOptions): Promise<Record<string, unknown>> {
  switch (part) {
    case 'pipeline':
      return runPart(options, options.items, false);
    case 'orchestration':
      return runPart(options, options.planned, true);
    case 'transform': {
      const { runTransformPart } = await import('./scaleTransformPart');
      return runTransformPart(options);
    }
    default:
      throw new Error(`unknown part ${part}: pipeline, orchestration or transform`);
  }
}
