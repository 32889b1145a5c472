import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/main';
import { drainQueues, localOperatorPorts } from '../../../cli/operations';
import { PROJECT_ROOT } from '../../../cli/paths';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { openLocalQueues } from '../../../shared/adapters/local/openLocalQueues';
import { SqliteRunStateStore } from '../../../shared/adapters/local/SqliteRunStateStore';
import { MESSAGE_VERSION, type CleanReady } from '../../../shared/messages';
import { load } from '../../../services/loader/handlers/load';
import { writeCleanBatch } from '../loader/support/writeCleanBatch';
import { runCli } from '../../cli/support/runCli';
import { openWarehouseOnly } from '../../../profiles/local/openWarehouseOnly';

/**
 * Issue 14 §5 on the embedded profile, end to end through the real loader and PGlite:
 * a permanently failing message is kept in the DLQ with its cause (not deleted) under one error
 * name, and replays once the cause is fixed; a data directory moved elsewhere keeps its pending
 * batches (manifests name parts relative to the lake).
 */
let dir: string;
let configDir: string;
const noBackoff = { baseSeconds: 0, maxSeconds: 0 };

function configFolder(clients: string[]): void {
  rmSync(configDir, { recursive: true, force: true });
  mkdirSync(join(configDir, 'sources'), { recursive: true });
  mkdirSync(join(configDir, 'clients'), { recursive: true });
  copyFileSync(join(PROJECT_ROOT, 'sources', 'demo_ads.yml'), join(configDir, 'sources', 'demo_ads.yml'));
  for (const client of clients)
    writeFileSync(
      join(configDir, 'clients', `${client}.yml`),
      `client: ${client}\nsources:\n  demo_ads:\n    params: { business_id: b1, account_id: "1", start_date: "2026-01-01", end_date: "2026-01-02" }\n    streams: [campaigns]\n`,
    );
}

/** A clean batch of campaigns for `client`, queued for the loader in `dataDir`, as the transformer leaves it. */
async function queueCleanBatch(dataDir: string, client: string, runId: string): Promise<CleanReady> {
  const store = new DirectoryObjectStore(join(dataDir, 'lake'));
  const itemId = `item-${client}`;
  const manifestKey = await writeCleanBatch(
    store,
    `clean/${client}/demo_ads/campaigns/dt=all/run=${runId}/${itemId}`,
    ['id', 'name', 'daily_budget'],
    [
      [
        ['c1', 'Spring', '10.50'],
        ['c2', 'Brand', null],
      ],
    ],
  );
  const message: CleanReady = {
    v: MESSAGE_VERSION,
    kind: 'clean-ready',
    runId,
    itemId,
    client,
    source: 'demo_ads',
    stream: 'campaigns',
    partition: 'all',
    partitionValues: {},
    label: `${client}/demo_ads/campaigns/all`,
    runtime: 'lambda',
    extraction: 'sync',
    taskToken: 'token-of-an-ended-execution',
    clean: { manifestKey, parts: 1, rows: 2, bytes: 80 },
    recordsIn: 2,
    rejected: 0,
    columns: [
      { name: 'id', type: 'varchar(32)' },
      { name: 'name', type: 'varchar(256)' },
      { name: 'daily_budget', type: 'decimal(12,2)' },
    ],
    batchId: `${itemId}-00112233aabbccdd`,
    extractedAt: '2026-01-08T06:00:00.000Z',
  };
  const runState = SqliteRunStateStore.open(join(dataDir, 'state.db'));
  await runState.updateItem(runId, itemId, {
    client,
    source: 'demo_ads',
    stream: 'campaigns',
    partition: 'all',
    stage: 'transformed',
    attempts: 1,
  });
  await runState.close();
  const queues = openLocalQueues(dataDir);
  await queues.load.send(JSON.stringify(message));
  await queues.close();
  return message;
}

async function query(dataDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const warehouse = await openWarehouseOnly(dataDir, undefined);
  try {
    return await warehouse.query(sql);
  } finally {
    await warehouse.close();
  }
}

async function drainLoad(dataDir: string): Promise<void> {
  const { ctx, close } = await localOperatorPorts.openStageContext({ dataDir, configDir }, { maxReceiveCount: 5 });
  try {
    await drainQueues(ctx, [{ stage: 'load', queue: ctx.ports.queues.load, handler: load }], {
      maxReceiveCount: 5,
      backoff: noBackoff,
      timeoutMs: 30_000,
    });
  } finally {
    await close();
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dif-dead-'));
  configDir = join(dir, 'config');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a permanently failing message', () => {
  it('stays in the DLQ with its cause under one error name, and replays once the cause is fixed', async () => {
    const dataDir = join(dir, 'dead');
    // The message's client is not (yet) in the deployed configuration: no redelivery can help.
    configFolder(['someone_else']);
    await queueCleanBatch(dataDir, 'latecomer', 'run-dead');
    await drainLoad(dataDir);

    const queues = openLocalQueues(dataDir);
    const letters = await queues.load.listDeadLetters();
    await queues.close();
    expect(letters).toHaveLength(1);
    expect(letters[0]!.receiveCount).toBe(1);
    expect(letters[0]!.lastError).toMatch(
      /^Load\.InvalidRequest: client "latecomer" is not in the configuration .* the message is in the load dead-letter queue; once fixed, replay it with `dif dlq replay --stage load`/,
    );
    const runState = SqliteRunStateStore.open(join(dataDir, 'state.db'));
    const item = await runState.getItem('run-dead', 'item-latecomer');
    await runState.close();
    expect(item?.stage).toBe('failed');
    expect(item?.error).toMatch(/^Load\.InvalidRequest: /);
    expect(item?.error).not.toMatch(/Load\.Load\./);

    configFolder(['someone_else', 'latecomer']);
    const replay = await runCli(buildProgram, [
      'dlq',
      'replay',
      '--stage',
      'load',
      '--drain',
      '--config',
      configDir,
      '--data-dir',
      dataDir,
    ]);
    expect(replay).toMatchObject({ code: 0, stderr: '' });
    expect(await query(dataDir, 'select id from latecomer.campaigns order by id')).toEqual([
      { id: 'c1' },
      { id: 'c2' },
    ]);
  });
});

describe('a data directory moved elsewhere', () => {
  it('still loads the batches that were pending when it moved', async () => {
    configFolder(['mover']);
    const before = join(dir, 'before');
    await queueCleanBatch(before, 'mover', 'run-move');
    const after = join(dir, 'after', 'restored');
    mkdirSync(join(dir, 'after'));
    renameSync(before, after);

    await drainLoad(after);
    expect(await query(after, 'select id, name from mover.campaigns order by id')).toEqual([
      { id: 'c1', name: 'Spring' },
      { id: 'c2', name: 'Brand' },
    ]);
    const queues = openLocalQueues(after);
    expect(await queues.load.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
    await queues.close();
  });
});
