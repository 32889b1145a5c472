import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../shared/config';
import { SqliteRunStateStore } from '../../../shared/adapters/local';
import { setLambdaServiceContext } from '../../../shared/adapters/aws/lambda';
import { plan } from '../../../services/extractor/handlers/plan';
import { handler } from '../../../services/extractor/lambda/plan';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { unusedPort } from '../../support/unusedPort';

// Before the Lambda entry's logger and metrics are created (imports are hoisted above this file's code).
const savedEnv = vi.hoisted(() => {
  const saved = { ...process.env };
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return saved;
});

/** A client with a daily-partitioned stream since `start`: one work item per day. */
function writeConfig(dir: string, start: string): void {
  mkdirSync(join(dir, 'sources'));
  mkdirSync(join(dir, 'clients'));
  writeFileSync(
    join(dir, 'sources', 'daily.yml'),
    [
      'name: daily',
      'base_url: https://api.example.com',
      'streams:',
      '  stats:',
      '    request: { path: "/stats", query: { day: "{{ slice.start }}" } }',
      '    partition: { date_range: { start: "{{ client.start_date }}", end: "2026-01-31", step: P1D } }',
      '    columns: { day: date, clicks: bigint }',
      '    load: { table: stats, mode: append }',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'clients', 'bigco.yml'),
    ['client: bigco', 'sources:', `  daily: { params: { start_date: "${start}" } }`].join('\n'),
  );
}

describe('Plan and the Step Functions state payload cap', () => {
  const dirs: string[] = [];
  const stores: SqliteRunStateStore[] = [];
  const lambdaContext = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as never;

  function contextFor(start: string): ServiceContext {
    const dir = mkdtempSync(join(tmpdir(), 'dif-plan-cap-'));
    dirs.push(dir);
    writeConfig(dir, start);
    const runState = SqliteRunStateStore.open(join(dir, 'state.db'));
    stores.push(runState);
    return {
      config: loadConfig(dir),
      ports: { runState, close: async () => {} } as unknown as ServiceContext['ports'],
      secrets: unusedPort('secrets', 'plan'),
      now: () => new Date('2026-02-01T00:00:00Z'),
    };
  }

  afterAll(async () => {
    process.env = savedEnv;
    setLambdaServiceContext(undefined);
    for (const store of stores) await store.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fails the deployed Plan with a clear error before recording a run whose Map would exceed 256 KiB', async () => {
    // Six years of daily partitions: ~2,200 items, about 1.9 MiB of Map state with their results.
    const ctx = contextFor('2020-01-01');
    setLambdaServiceContext(ctx);
    const failure = await handler({ runId: 'r-big', client: 'bigco' }, lambdaContext).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).toBe('Plan.StatePayloadTooLarge');
    expect(failure?.message).toMatch(/plans 2223 work items; .* about \d+ KiB, above Step Functions' 256 KiB/);
    expect(failure?.message).toMatch(/Narrow the run \(`--client`, `--source`, `--stream`\)/);
    expect(await ctx.ports.runState.getRun('r-big')).toBeUndefined();
  });

  it('plans a run that fits, and does not cap the local runtime', async () => {
    const ctx = contextFor('2026-01-01');
    setLambdaServiceContext(ctx);
    const output = (await handler({ runId: 'r-small', client: 'bigco' }, lambdaContext)) as { itemCount: number };
    expect(output.itemCount).toBe(31);
    const local = contextFor('2020-01-01');
    expect((await plan(local, { runId: 'r-local', client: 'bigco' })).itemCount).toBe(2223);
  });
});
