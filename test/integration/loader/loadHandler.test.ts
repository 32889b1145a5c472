import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { LocalWorkflow } from '../../../shared/adapters/local/LocalWorkflow';
import { SqliteRunStateStore } from '../../../shared/adapters/local/SqliteRunStateStore';
import type { DifConfig } from '../../../shared/config';
import { clientDefinition, sourceDefinition } from '../../../shared/config/schema';
import type { CleanReady } from '../../../shared/messages/cleanReady';
import type { Ports } from '../../../shared/ports/Ports';
import { PermanentError } from '../../../shared/runtime/errors';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { load } from '../../../services/loader/handlers/load';
import { PgliteWarehouse } from '../../../services/loader/warehouse/postgres/PgliteWarehouse';
import { writeCleanBatch } from './support/writeCleanBatch';

const source = sourceDefinition.parse({
  name: 'ads',
  base_url: 'https://api.example.com',
  auth: { type: 'none' },
  streams: {
    campaigns: {
      request: { path: '/campaigns' },
      columns: { id: 'bigint', name: 'varchar(64)' },
      primary_key: ['id'],
      load: { table: 'campaigns', mode: 'merge' },
    },
    insights: {
      request: { path: '/insights' },
      columns: { id: 'bigint', spend: 'decimal(12,2)' },
      primary_key: ['id'],
      load: { table: 'insights', mode: 'merge' },
      children: {
        insight_actions: {
          explode: 'actions',
          columns: { id: 'bigint', action_type: { type: 'varchar(32)', from: 'actions.action_type' } },
          primary_key: ['id', 'action_type'],
          load: { table: 'insight_actions', mode: 'merge' },
        },
      },
    },
  },
});
const client = clientDefinition.parse({ client: 'acme', warehouse: { schema: 'acme_wh' }, sources: { ads: {} } });
const config: DifConfig = {
  dir: 'test-config',
  sources: new Map([['ads', source]]),
  clients: new Map([['acme', client]]),
};

describe('load handler', () => {
  let dir: string;
  let ctx: ServiceContext;
  let store: DirectoryObjectStore;
  let runState: SqliteRunStateStore;
  let workflow: LocalWorkflow;
  let warehouse: PgliteWarehouse;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-load-handler-'));
    store = new DirectoryObjectStore(join(dir, 'lake'));
    runState = SqliteRunStateStore.open(join(dir, 'state.db'));
    workflow = new LocalWorkflow();
    warehouse = await PgliteWarehouse.open({ objectStore: store, dataDir: join(dir, 'warehouse') });
    // Only the ports the loader touches are real; the others are never called by this handler.
    const ports = { objectStore: store, runState, workflow, warehouse } as unknown as Ports;
    ctx = {
      config,
      ports,
      secrets: { get: async () => ({}), rotate: async () => undefined },
      now: () => new Date('2026-01-02T00:00:00Z'),
    };
  });
  afterAll(async () => {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const message = async (
    runId: string,
    taskToken: string,
    rows: (string | number)[][],
    cursor?: string,
  ): Promise<CleanReady> => {
    const manifestKey = await writeCleanBatch(
      store,
      `clean/acme/ads/campaigns/dt=all/run=${runId}/item1`,
      ['id', 'name'],
      [rows],
    );
    return {
      v: 1,
      kind: 'clean-ready',
      runId,
      itemId: 'item1',
      client: 'acme',
      source: 'ads',
      stream: 'campaigns',
      partition: 'all',
      partitionValues: {},
      label: 'acme/ads/campaigns',
      runtime: 'lambda',
      extraction: 'sync',
      taskToken,
      clean: { manifestKey, parts: 1, rows: rows.length, bytes: 10 },
      recordsIn: rows.length + 1,
      rejected: 1,
      columns: [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: 'varchar(64)' },
      ],
      batchId: `item1-${rows.length}-${cursor ?? ''}`,
      ...(cursor ? { cursor } : {}),
    };
  };
  const delivery = (body: CleanReady, receiveCount = 1) => ({
    id: `m-${receiveCount}`,
    body: JSON.stringify(body),
    receiveCount,
  });
  const cursorKey = { client: 'acme', source: 'ads', stream: 'campaigns', partition: 'all' };

  it('loads, advances the cursor, records the item and completes the task token', async () => {
    const task = workflow.openTask();
    const first = await message(
      'run1',
      task.taskToken,
      [
        [1, 'a'],
        [2, 'b'],
      ],
      '2026-01-01',
    );
    await load(ctx, delivery(first));
    expect(await task.completion).toEqual({
      itemId: 'item1',
      table: 'acme_wh.campaigns',
      rowsLoaded: 2,
      status: 'loaded',
    });
    expect(await runState.getItem('run1', 'item1')).toMatchObject({
      stage: 'loaded',
      rowsLoaded: 2,
      table: 'acme_wh.campaigns',
      recordsRejected: 1,
    });
    expect((await runState.getCursor(cursorKey))?.value).toBe('2026-01-01');
    expect(await warehouse.query('SELECT id::int AS id, name FROM acme_wh.campaigns ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);

    // Redelivered after the run ended: the token is stale, the load a no-op, run state still right.
    await load(ctx, delivery(first, 2));
    expect(await warehouse.query('SELECT count(*)::int AS n FROM acme_wh.campaigns')).toEqual([{ n: 2 }]);
    expect(await runState.getItem('run1', 'item1')).toMatchObject({ stage: 'loaded', rowsLoaded: 2 });
  });

  it('delivers a replay after its run ended and never moves the cursor backwards', async () => {
    const newer = await message(
      'run2',
      workflow.openTask().taskToken,
      [
        [2, 'b2'],
        [3, 'c'],
      ],
      '2026-01-05',
    );
    await load(ctx, delivery(newer));
    expect((await runState.getCursor(cursorKey))?.value).toBe('2026-01-05');
    const late = await message('run0', 'token-of-an-ended-execution', [[4, 'd']], '2026-01-03');
    await load(ctx, delivery(late));
    expect(await warehouse.query('SELECT id::int AS id, name FROM acme_wh.campaigns ORDER BY id')).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b2' },
      { id: 3, name: 'c' },
      { id: 4, name: 'd' },
    ]);
    expect(await runState.getItem('run0', 'item1')).toMatchObject({ stage: 'loaded', rowsLoaded: 1 });
    expect((await runState.getCursor(cursorKey))?.value).toBe('2026-01-05');
  });

  it('still advances the cursor when the delivery died after the commit, before the cursor moved', async () => {
    const task = workflow.openTask();
    const batch = await message('run4', task.taskToken, [[5, 'e']], '2026-01-09');
    const realPut = runState.putCursor.bind(runState);
    runState.putCursor = async () => {
      throw new Error('throttled while writing the cursor');
    };
    try {
      await expect(load(ctx, delivery(batch))).rejects.toThrow(/throttled/);
    } finally {
      runState.putCursor = realPut;
    }
    await load(ctx, delivery(batch, 2));
    expect(await task.completion).toMatchObject({ status: 'already_loaded', rowsLoaded: 1 });
    expect((await runState.getCursor(cursorKey))?.value).toBe('2026-01-09');
  });

  it('fails permanently, with what to do, for a stream the configuration does not know', async () => {
    const unknown = { ...(await message('run3', 't', [[1, 'a']])), stream: 'gone' };
    const error = await load(ctx, delivery(unknown)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as Error).message).toMatch(/stream "ads.gone" is not in the configuration.*replay/);
  });

  describe('a stream with a child table', () => {
    const insightsMessage = async (runId: string, taskToken: string, cursor: string): Promise<CleanReady> => {
      const prefix = `clean/acme/ads/insights/dt=all/run=${runId}/item2`;
      const manifestKey = await writeCleanBatch(
        store,
        prefix,
        ['id', 'spend'],
        [
          [
            [1, '2.50'],
            [2, '1.00'],
          ],
        ],
      );
      const childKey = await writeCleanBatch(
        store,
        `${prefix}.insight_actions`,
        ['id', 'action_type'],
        [
          [
            [1, 'click'],
            [1, 'lead'],
            [2, 'click'],
          ],
        ],
      );
      return {
        v: 1,
        kind: 'clean-ready',
        runId,
        itemId: 'item2',
        client: 'acme',
        source: 'ads',
        stream: 'insights',
        partition: 'all',
        partitionValues: {},
        label: 'acme/ads/insights',
        runtime: 'lambda',
        extraction: 'sync',
        taskToken,
        clean: { manifestKey, parts: 1, rows: 2, bytes: 10 },
        recordsIn: 2,
        rejected: 0,
        columns: [
          { name: 'id', type: 'bigint' },
          { name: 'spend', type: 'decimal(12,2)' },
        ],
        batchId: `item2-${runId}`,
        cursor,
        children: [
          {
            name: 'insight_actions',
            clean: { manifestKey: childKey, parts: 1, rows: 3, bytes: 10 },
            columns: [
              { name: 'id', type: 'bigint' },
              { name: 'action_type', type: 'varchar(32)' },
            ],
            batchId: `item2.insight_actions-${runId}`,
          },
        ],
      };
    };
    const insightsCursor = { ...cursorKey, stream: 'insights' };

    it('loads the child table after the stream table, each once, and counts both in run state', async () => {
      const task = workflow.openTask();
      const first = await insightsMessage('run5', task.taskToken, '2026-02-01');
      await load(ctx, delivery(first));
      expect(await task.completion).toEqual({
        itemId: 'item2',
        table: 'acme_wh.insights',
        rowsLoaded: 2,
        status: 'loaded',
        children: [{ table: 'acme_wh.insight_actions', rowsLoaded: 3, status: 'loaded' }],
      });
      expect(await runState.getItem('run5', 'item2')).toMatchObject({
        stage: 'loaded',
        rowsLoaded: 2,
        childRows: { 'acme_wh.insight_actions': 3 },
      });
      expect(
        await warehouse.query(
          'SELECT id::int AS id, action_type FROM acme_wh.insight_actions ORDER BY id, action_type',
        ),
      ).toEqual([
        { id: 1, action_type: 'click' },
        { id: 1, action_type: 'lead' },
        { id: 2, action_type: 'click' },
      ]);
      await load(ctx, delivery(first, 2));
      expect(await warehouse.query('SELECT count(*)::int AS n FROM acme_wh.insight_actions')).toEqual([{ n: 3 }]);
    });

    it('loads only the missing child table when a delivery died between the two', async () => {
      const task = workflow.openTask();
      const message = await insightsMessage('run6', task.taskToken, '2026-02-02');
      const realLoad = warehouse.load.bind(warehouse);
      let failed = false;
      warehouse.load = async (request) => {
        if (request.table.table === 'insight_actions' && !failed) {
          failed = true;
          throw new Error('connection reset while loading the child table');
        }
        return realLoad(request);
      };
      try {
        await expect(load(ctx, delivery(message))).rejects.toThrow(/connection reset/);
        expect((await runState.getCursor(insightsCursor))?.value).toBe('2026-02-01');
        await load(ctx, delivery(message, 2));
      } finally {
        warehouse.load = realLoad;
      }
      expect(await task.completion).toMatchObject({
        status: 'already_loaded',
        children: [{ table: 'acme_wh.insight_actions', rowsLoaded: 3, status: 'loaded' }],
      });
      expect((await runState.getCursor(insightsCursor))?.value).toBe('2026-02-02');
    });
  });
});
