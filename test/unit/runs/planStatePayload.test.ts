import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../shared/config';
import { DirectoryObjectStore, SqliteRunStateStore } from '../../../shared/adapters/local';
import { setLambdaServiceContext } from '../../../profiles/aws/lambda';
import { plan, type PlanOutput } from '../../../services/runs/handlers/plan';
import { listWorkItems, readWorkItems } from '../../../services/runs/workItemFile';
import { handler } from '../../../profiles/aws/functions/plan';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { unusedPort } from '../../support/unusedPort';

// Before the Lambda entry's logger and metrics are created (imports are hoisted above this file's code).
const savedEnv = vi.hoisted(() => {
  const saved = { ...process.env };
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  return saved;
});

/** A client with a daily-partitioned stream since `start`: one work item per day (per account, if given). */
function writeConfig(dir: string, start: string, accounts?: string): void {
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
      accounts
        ? '    partition: { list: { account: "{{ client.accounts }}" }, date_range: { start: "{{ client.start_date }}", end: "2026-01-31", step: P1D } }'
        : '    partition: { date_range: { start: "{{ client.start_date }}", end: "2026-01-31", step: P1D } }',
      '    columns: { day: date, clicks: bigint }',
      '    load: { table: stats, mode: append }',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'clients', 'bigco.yml'),
    [
      'client: bigco',
      'sources:',
      `  daily: { params: { start_date: "${start}"${accounts ? `, accounts: "${accounts}"` : ''} } }`,
    ].join('\n'),
  );
}

describe('Plan writes the work items to the object store; states carry only a reference', () => {
  const dirs: string[] = [];
  const stores: SqliteRunStateStore[] = [];
  const lambdaContext = { awsRequestId: 'r', getRemainingTimeInMillis: () => 60_000 } as never;

  function contextFor(start: string, accounts?: string): ServiceContext {
    const dir = mkdtempSync(join(tmpdir(), 'dif-plan-cap-'));
    dirs.push(dir);
    writeConfig(dir, start, accounts);
    const runState = SqliteRunStateStore.open(join(dir, 'state.db'));
    stores.push(runState);
    const objectStore = new DirectoryObjectStore(join(dir, 'lake'));
    return {
      config: loadConfig(dir),
      ports: { runState, objectStore, close: async () => {} } as unknown as ServiceContext['ports'],
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

  it('plans a 2,223-item run on the deployed Plan: the items go to the item file, the state gets a reference under 32 KiB', async () => {
    // Six years of daily partitions: about 1.9 MiB of Map state with their results in an inline Map.
    const ctx = contextFor('2020-01-01');
    setLambdaServiceContext(ctx);
    const output = (await handler({ runId: 'r-big', client: 'bigco' }, lambdaContext)) as PlanOutput;
    expect(Buffer.byteLength(JSON.stringify(output))).toBeLessThan(32 * 1024);
    expect(output).toMatchObject({
      runId: 'r-big',
      itemCount: 2223,
      items: { key: 'runs/r-big/items.jsonl', resultsPrefix: 'runs/r-big/map-results', count: 2223 },
    });
    const items = await listWorkItems(ctx.ports.objectStore, output.items.key);
    expect(items).toHaveLength(2223);
    expect(items[0]).toMatchObject({ runId: 'r-big', client: 'bigco', stream: 'stats', partition: 'date=2020-01-01' });
    expect(items.at(-1)?.partition).toBe('date=2026-01-31');
    expect(new Set(items.map((item) => item.itemId)).size).toBe(2223);
    // Every item of the file is known to run state, so Finalize can tally it whatever the Map does.
    const recorded = await ctx.ports.runState.listItems('r-big');
    expect(recorded.map((item) => item.itemId).sort()).toEqual(items.map((item) => item.itemId).sort());
    expect(recorded.every((item) => item.stage === 'planned')).toBe(true);
    expect((await ctx.ports.objectStore.head(output.items.key))?.bytes).toBe(output.items.bytes);
  });

  it('writes a state output of the same size for 31 items or 2,223, and re-plans the same file on a retry', async () => {
    const ctx = contextFor('2026-01-01');
    const small = await plan(ctx, { runId: 'r-small', client: 'bigco' });
    const again = await plan(ctx, { runId: 'r-small', client: 'bigco' });
    expect(small.itemCount).toBe(31);
    expect(again).toEqual(small);
    const big = await plan(contextFor('2020-01-01'), { runId: 'r-small', client: 'bigco' });
    // Only the digits of the counts differ: no list grows with the run.
    const size = (output: PlanOutput) => Buffer.byteLength(JSON.stringify(output));
    expect(size(big) - size(small)).toBeLessThan(8);
    expect(size(big)).toBeLessThan(512);
    let read = 0;
    for await (const item of readWorkItems(ctx.ports.objectStore, small.items.key))
      read += item.runId === 'r-small' ? 1 : 0;
    expect(read).toBe(31);
  });

  it('refuses, before recording the run, an item whose partition values would not fit its child execution state', async () => {
    const ctx = contextFor('2026-01-31', `small,${'x'.repeat(250 * 1024)}`);
    setLambdaServiceContext(ctx);
    const failure = await handler({ runId: 'r-huge', client: 'bigco' }, lambdaContext).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(failure?.name).toBe('Plan.WorkItemTooLarge');
    expect(failure?.message.slice(0, 60)).toBe('work item bigco/daily/stats/account=xxxxxxxxxxxxxxxxxxxxxxxx');
    expect(failure?.message).toMatch(
      / takes \d{3,4} KiB of state in its child execution .* above Step Functions' 256 KiB/,
    );
    expect(failure?.message).toMatch(/Shorten the values the stream's partition takes from the client config/);
    expect(await ctx.ports.runState.getRun('r-huge')).toBeUndefined();
  });
});
