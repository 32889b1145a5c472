import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main';
import { drainQueues, localOperatorPorts } from '../../cli/operations';
import { PROJECT_ROOT } from '../../cli/paths';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { openLocalQueues } from '../../shared/adapters/local/openLocalQueues';
import { SqliteRunStateStore } from '../../shared/adapters/local/SqliteRunStateStore';
import { MESSAGE_VERSION, type CleanReady, type RawReady } from '../../shared/messages';
import { load } from '../../services/loader/handlers/load';
import { writeCleanBatch } from '../integration/loader/support/writeCleanBatch';
import { runCli } from './support/runCli';

/**
 * A load that fails until its DLQ: the warehouse is down (nothing listens on port 1), every
 * delivery fails, the item is marked failed and the message dead-lettered. With the warehouse
 * back, `dif dlq replay --drain` delivers it through the real loader — exactly once, however
 * often the same batch comes again.
 */
const POSTGRES = 'postgresql://postgres@127.0.0.1:5432/test';
const DOWN = 'postgresql://postgres@127.0.0.1:1/test';
const schema = `dif_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const runId = 'run-dlq';
const itemId = 'item-campaigns';

let dir: string;
let dataDir: string;
let configDir: string;
let message: CleanReady;
let deliveredId: string;
const savedUrl = process.env.DATABASE_URL;
const dif = (...args: string[]) => runCli(buildProgram, [...args, '--data-dir', dataDir]);

async function warehouseRows(sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dif-dlq-'));
  dataDir = join(dir, 'data');
  configDir = join(dir, 'config');
  mkdirSync(join(configDir, 'sources'), { recursive: true });
  mkdirSync(join(configDir, 'clients'), { recursive: true });
  copyFileSync(join(PROJECT_ROOT, 'sources', 'demo_ads.yml'), join(configDir, 'sources', 'demo_ads.yml'));
  writeFileSync(
    join(configDir, 'clients', 'opsdlq.yml'),
    `client: opsdlq\nwarehouse: { schema: ${schema} }\nsources:\n  demo_ads:\n    params: { business_id: b1, account_id: "1", start_date: "2026-01-01", end_date: "2026-01-02" }\n    streams: [accounts, campaigns]\n`,
  );
  const store = new DirectoryObjectStore(join(dataDir, 'lake'));
  const prefix = `clean/opsdlq/demo_ads/campaigns/dt=all/run=${runId}/${itemId}`;
  const manifestKey = await writeCleanBatch(
    store,
    prefix,
    ['id', 'name', 'daily_budget'],
    [
      [
        ['c1', 'Spring "sale"', '10.50'],
        ['c2', 'Brand', null],
        ['c3', '<b>x</b>', '3'],
      ],
    ],
  );
  message = {
    v: MESSAGE_VERSION,
    kind: 'clean-ready',
    runId,
    itemId,
    client: 'opsdlq',
    source: 'demo_ads',
    stream: 'campaigns',
    partition: 'all',
    partitionValues: {},
    label: 'opsdlq/demo_ads/campaigns/all',
    runtime: 'lambda',
    extraction: 'sync',
    // The execution that issued this token has ended, as it has when a DLQ is replayed later.
    taskToken: 'local-token-of-an-ended-execution',
    clean: { manifestKey, parts: 1, rows: 3, bytes: 100 },
    recordsIn: 3,
    rejected: 0,
    columns: [
      { name: 'id', type: 'varchar(32)' },
      { name: 'name', type: 'varchar(256)' },
      { name: 'daily_budget', type: 'decimal(12,2)' },
    ],
    batchId: `${itemId}-0123456789abcdef`,
  };
  const runState = SqliteRunStateStore.open(join(dataDir, 'state.db'));
  await runState.createRun({ runId, status: 'running', startedAt: new Date().toISOString() });
  await runState.updateItem(runId, itemId, {
    client: 'opsdlq',
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
});

afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await warehouseRows(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  rmSync(dir, { recursive: true, force: true });
});

async function itemState(id = itemId) {
  const runState = SqliteRunStateStore.open(join(dataDir, 'state.db'));
  try {
    return await runState.getItem(runId, id);
  } finally {
    await runState.close();
  }
}

describe('a failed load replayed from the DLQ', () => {
  it('lands in the load DLQ after its last allowed delivery, and the item is marked failed', async () => {
    process.env.DATABASE_URL = DOWN;
    const { ctx, close } = await localOperatorPorts.openStageContext({ dataDir, configDir }, { maxReceiveCount: 2 });
    try {
      const result = await drainQueues(ctx, [{ stage: 'load', queue: ctx.ports.queues.load, handler: load }], {
        maxReceiveCount: 2,
        backoff: { baseSeconds: 0, maxSeconds: 0 },
        timeoutMs: 20_000,
      });
      expect(result).toMatchObject({ drained: true, stages: { load: { left: 0, newlyDead: 1 } } });
    } finally {
      await close();
    }
    const item = await itemState();
    expect(item?.stage).toBe('failed');
    expect(item?.error).toMatch(
      /^Load\.RetriesExhausted: .*failed 2 times; the message is in the load dead-letter queue.*dif dlq replay --stage load/s,
    );
  });

  it('is listed by dif dlq list with its run, item, error and receive count', async () => {
    const result = await dif('dlq', 'list', '--stage', 'load', '--json');
    expect(result.code).toBe(0);
    const letters = JSON.parse(result.stdout);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      stage: 'load',
      runId,
      itemId,
      label: 'opsdlq/demo_ads/campaigns/all',
      receiveCount: 2,
      error: expect.stringMatching(/ECONNREFUSED|connect/),
    });
    const table = await dif('dlq', 'list');
    expect(table.stdout).toMatch(
      new RegExp(`load\\s+${letters[0].messageId}\\s+${runId}\\s+opsdlq/demo_ads/campaigns/all\\s+2\\s+`),
    );
  });

  it('is delivered by dif dlq replay --drain once the warehouse is back: rows loaded once, item loaded', async () => {
    process.env.DATABASE_URL = POSTGRES;
    const [letter] = JSON.parse((await dif('dlq', 'list', '--stage', 'load', '--json')).stdout);
    deliveredId = letter.messageId;
    const result = await dif(
      'dlq',
      'replay',
      '--stage',
      'load',
      '--message',
      letter.messageId,
      '--drain',
      '--max-receive-count',
      '2',
      '--config',
      configDir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^moved 1 message\(s\) from the load dead-letter queue back to the load queue\ndrained load in .*: queues empty\n$/,
    );
    expect(
      await warehouseRows(`SELECT id, name, daily_budget::text AS budget FROM ${schema}.campaigns ORDER BY id`),
    ).toEqual([
      { id: 'c1', name: 'Spring "sale"', budget: '10.50' },
      { id: 'c2', name: 'Brand', budget: null },
      { id: 'c3', name: '<b>x</b>', budget: '3.00' },
    ]);
    expect(await itemState()).toMatchObject({
      stage: 'loaded',
      rowsLoaded: 3,
      recordsOut: 3,
      table: `${schema}.campaigns`,
    });
    expect((await dif('dlq', 'list', '--stage', 'load')).stdout).toBe('no dead letters in the load DLQ\n');
  });

  it('stays exactly once when the same batch is delivered again', async () => {
    const queues = openLocalQueues(dataDir);
    await queues.load.send(JSON.stringify(message));
    await queues.close();
    // Nothing is dead any more: the replay moves nothing and the drain delivers the duplicate.
    const result = await dif('dlq', 'replay', '--stage', 'load', '--drain', '--config', configDir, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      stage: 'load',
      moved: 0,
      drain: { drained: true, stages: { load: { left: 0, newlyDead: 0 } } },
    });
    expect(await warehouseRows(`SELECT count(*)::int AS n FROM ${schema}.campaigns`)).toEqual([{ n: 3 }]);
    expect(await warehouseRows(`SELECT batch_id, rows::int AS rows FROM ${schema}.dif_load_ledger`)).toEqual([
      { batch_id: message.batchId, rows: 3 },
    ]);
    // Replaying the delivered message again is refused: it is no longer a dead letter.
    const again = await dif('dlq', 'replay', '--stage', 'load', '--message', deliveredId);
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`message(s) ${deliveredId} not in the load dead-letter queue`),
    });
  });
});

describe('a transform message replayed from the DLQ', () => {
  const transformItemId = 'item-accounts';

  it('is carried through transform and load by dif dlq replay --stage transform --drain', async () => {
    process.env.DATABASE_URL = POSTGRES;
    const store = new DirectoryObjectStore(join(dataDir, 'lake'));
    const rawPrefix = `raw/opsdlq/demo_ads/accounts/dt=all/run=${runId}/${transformItemId}`;
    const page = JSON.stringify({
      data: [
        { id: 'a1', name: 'First', currency: 'EUR', status: 'ACTIVE' },
        { id: 'a2', name: 'Second', currency: 'USD', status: 'PAUSED' },
      ],
      total: 2,
    });
    await store.put(`${rawPrefix}-000000.json`, page);
    await store.put(
      `${rawPrefix}-manifest.json`,
      JSON.stringify({
        objects: [
          { key: `${rawPrefix}-000000.json`, bytes: Buffer.byteLength(page), contentType: 'application/json', page: 0 },
        ],
      }),
    );
    const raw: RawReady = {
      v: MESSAGE_VERSION,
      kind: 'raw-ready',
      runId,
      itemId: transformItemId,
      client: 'opsdlq',
      source: 'demo_ads',
      stream: 'accounts',
      partition: 'all',
      partitionValues: {},
      label: 'opsdlq/demo_ads/accounts/all',
      runtime: 'lambda',
      extraction: 'sync',
      taskToken: 'local-token-of-an-ended-execution',
      raw: { manifestKey: `${rawPrefix}-manifest.json`, objects: 1, bytes: Buffer.byteLength(page), pages: 1 },
      extractedAt: new Date().toISOString(),
    };
    // Consumers that die mid-message (received, never acknowledged) until the queue dead-letters it.
    const queues = openLocalQueues(dataDir, { maxReceiveCount: 2 });
    await queues.transform.send(JSON.stringify(raw));
    for (let receive = 0; receive < 3; receive++) await queues.transform.receive({ visibilityTimeoutSeconds: 0 });
    expect(await queues.transform.depth()).toEqual({ visible: 0, inFlight: 0, dead: 1 });
    await queues.close();

    const listed = JSON.parse((await dif('dlq', 'list', '--json')).stdout);
    expect(listed).toEqual([
      expect.objectContaining({
        stage: 'transform',
        itemId: transformItemId,
        label: 'opsdlq/demo_ads/accounts/all',
        receiveCount: 2,
      }),
    ]);

    const result = await dif('dlq', 'replay', '--stage', 'transform', '--drain', '--config', configDir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^moved 1 message\(s\) from the transform dead-letter queue back to the transform queue\ndrained transform → load in .*: queues empty\n$/,
    );
    expect(await warehouseRows(`SELECT id, name, currency FROM ${schema}.accounts ORDER BY id`)).toEqual([
      { id: 'a1', name: 'First', currency: 'EUR' },
      { id: 'a2', name: 'Second', currency: 'USD' },
    ]);
    expect(await itemState(transformItemId)).toMatchObject({ stage: 'loaded', rowsLoaded: 2, recordsIn: 2 });
  });
});
