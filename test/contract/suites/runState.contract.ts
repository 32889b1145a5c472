import { racingIt, type RaceOptions } from './racingIt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CursorKey, ItemPatch, RunRecord, RunStateStore } from '../../../shared/ports/RunStateStore';
import { sleep } from './timing';

export interface RunStateFixture {
  /** An empty store. */
  store: RunStateStore;
  cleanup(): Promise<void>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

function identity(partition: string, stream = 'campaigns'): ItemPatch {
  return { client: 'acme', source: 'graph_ads', stream, partition };
}

function run(runId: string, startedAt: string, extra: Partial<RunRecord> = {}): RunRecord {
  return { runId, status: 'running', startedAt, ...extra };
}

/**
 * The {@link RunStateStore} contract: runs, items with merged patches and stage times, the latest
 * load per partition, and conditional cursor writes. `factory` must return an empty store.
 */
export function describeRunStateContract(
  adapterName: string,
  factory: () => Promise<RunStateFixture>,
  options: RaceOptions = {},
): void {
  describe(`RunStateStore contract: ${adapterName}`, () => {
    let fixture: RunStateFixture;
    let store: RunStateStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('runs', () => {
      it('stores a run and returns it unchanged', async () => {
        const record = run('r-1', '2026-03-01T10:00:00.000Z', { trigger: { by: 'dif run', clients: ['acme'] } });
        await store.createRun(record);
        expect(await store.getRun('r-1')).toEqual(record);
        expect(await store.getRun('r-missing')).toBeUndefined();
      });

      it('merges a patch into a run', async () => {
        await store.createRun(run('r-1', '2026-03-01T10:00:00.000Z', { trigger: { by: 'schedule' } }));
        await store.updateRun('r-1', {
          status: 'succeeded',
          finishedAt: '2026-03-01T10:05:00.000Z',
          summary: { items: 3, rows: { campaigns: 12 } },
        });
        expect(await store.getRun('r-1')).toEqual({
          runId: 'r-1',
          status: 'succeeded',
          startedAt: '2026-03-01T10:00:00.000Z',
          finishedAt: '2026-03-01T10:05:00.000Z',
          trigger: { by: 'schedule' },
          summary: { items: 3, rows: { campaigns: 12 } },
        });
      });

      it('refuses to update a run that does not exist', async () => {
        await expect(store.updateRun('r-missing', { status: 'failed' })).rejects.toThrow();
        expect(await store.getRun('r-missing')).toBeUndefined();
      });

      it('lists runs newest first, up to a limit', async () => {
        await store.createRun(run('r-b', '2026-03-02T00:00:00.000Z'));
        await store.createRun(run('r-c', '2026-03-03T00:00:00.000Z'));
        await store.createRun(run('r-a', '2026-03-01T00:00:00.000Z'));
        expect((await store.listRuns()).map((record) => record.runId)).toEqual(['r-c', 'r-b', 'r-a']);
        expect((await store.listRuns(2)).map((record) => record.runId)).toEqual(['r-c', 'r-b']);
      });
    });

    describe('items', () => {
      beforeEach(async () => {
        await store.createRun(run('r-1', '2026-03-01T10:00:00.000Z'));
      });

      it('creates an item on its first update, stamping the stage time', async () => {
        const before = Date.now();
        const item = await store.updateItem('r-1', 'i-1', { ...identity('2026-03-01'), stage: 'planned' });
        expect(item).toMatchObject({
          runId: 'r-1',
          itemId: 'i-1',
          client: 'acme',
          source: 'graph_ads',
          stream: 'campaigns',
          partition: '2026-03-01',
          stage: 'planned',
          attempts: 0,
        });
        expect(item.updatedAt).toMatch(ISO);
        expect(item.stageTimes.planned).toMatch(ISO);
        expect(Date.parse(item.stageTimes.planned!)).toBeGreaterThanOrEqual(before - 5_000);
        expect(await store.getItem('r-1', 'i-1')).toEqual(item);
        expect(await store.getItem('r-1', 'i-missing')).toBeUndefined();
      });

      it('requires the identity fields on the first update', async () => {
        await expect(store.updateItem('r-1', 'i-new', { stage: 'extracting' })).rejects.toThrow();
        expect(await store.getItem('r-1', 'i-new')).toBeUndefined();
      });

      it('merges later patches, keeping earlier fields and stage times', async () => {
        await store.updateItem('r-1', 'i-1', { ...identity('p1'), stage: 'planned' });
        await sleep(5);
        await store.updateItem('r-1', 'i-1', { stage: 'extracting', attempts: 1 });
        await store.updateItem('r-1', 'i-1', { pages: 3, rawBytes: 4096 });
        await sleep(5);
        const item = await store.updateItem('r-1', 'i-1', { stage: 'extracted' });

        expect(item).toMatchObject({ ...identity('p1'), stage: 'extracted', attempts: 1, pages: 3, rawBytes: 4096 });
        expect(Object.keys(item.stageTimes).sort()).toEqual(['extracted', 'extracting', 'planned']);
        expect(Date.parse(item.stageTimes.extracted!)).toBeGreaterThan(Date.parse(item.stageTimes.planned!));
        expect(item.updatedAt).toBe(item.stageTimes.extracted);
        expect(await store.getItem('r-1', 'i-1')).toEqual(item);
      });

      it('does not count attempts by itself and clears a field patched to undefined', async () => {
        await store.updateItem('r-1', 'i-1', { ...identity('p1'), stage: 'failed', attempts: 1, error: 'HTTP 503' });
        await store.updateItem('r-1', 'i-1', { stage: 'failed' });
        expect(await store.getItem('r-1', 'i-1')).toMatchObject({ attempts: 1, error: 'HTTP 503' });

        const item = await store.updateItem('r-1', 'i-1', {
          stage: 'loaded',
          attempts: 2,
          error: undefined,
          rowsLoaded: 10,
        });
        expect(item.error).toBeUndefined();
        expect(item).toMatchObject({ stage: 'loaded', attempts: 2, rowsLoaded: 10 });
        expect((await store.getItem('r-1', 'i-1'))?.error).toBeUndefined();
      });

      it("lists a run's items only", async () => {
        await store.createRun(run('r-2', '2026-03-02T10:00:00.000Z'));
        await store.updateItem('r-1', 'i-2', { ...identity('p2'), stage: 'planned' });
        await store.updateItem('r-1', 'i-1', { ...identity('p1'), stage: 'planned' });
        await store.updateItem('r-2', 'i-1', { ...identity('p1'), stage: 'planned' });

        const items = await store.listItems('r-1');
        expect(items.map((item) => `${item.runId}/${item.itemId}`).sort()).toEqual(['r-1/i-1', 'r-1/i-2']);
        expect(await store.listItems('r-missing')).toEqual([]);
      });

      it('lists the latest loaded item per client, source, stream and partition', async () => {
        await store.createRun(run('r-2', '2026-03-02T10:00:00.000Z'));
        await store.updateItem('r-1', 'i-p1', { ...identity('p1'), stage: 'loaded', rowsLoaded: 5 });
        await store.updateItem('r-1', 'i-p2', { ...identity('p2'), stage: 'loaded', rowsLoaded: 7 });
        await store.updateItem('r-1', 'i-ads', { ...identity('p1', 'ads'), stage: 'loaded', rowsLoaded: 1 });
        await sleep(10);
        await store.updateItem('r-2', 'i-p1', { ...identity('p1'), stage: 'loaded', rowsLoaded: 6 });
        // A later failure does not hide the last successful load.
        await store.updateItem('r-2', 'i-p2', { ...identity('p2'), stage: 'failed', error: 'boom' });
        await store.updateItem('r-2', 'i-p3', { ...identity('p3'), stage: 'transformed' });

        const latest = await store.listLatestLoads();
        const summary = latest
          .map((item) => `${item.stream}/${item.partition}:${item.runId}:${item.rowsLoaded}`)
          .sort();
        expect(summary).toEqual(['ads/p1:r-1:1', 'campaigns/p1:r-2:6', 'campaigns/p2:r-1:7']);
      });
    });

    describe('partition history', () => {
      const stream = { client: 'acme', source: 'graph_ads', stream: 'campaigns' };

      beforeEach(async () => {
        for (const [runId, at] of [
          ['r-1', '2026-03-01T10:00:00.000Z'],
          ['r-2', '2026-03-02T10:00:00.000Z'],
          ['r-3', '2026-03-03T10:00:00.000Z'],
        ] as const)
          await store.createRun(run(runId, at));
      });

      it("lists one stream's partitions with their newest load and newest failure", async () => {
        await store.updateItem('r-1', 'i-p1', { ...identity('p1'), stage: 'loaded', rowsLoaded: 5 });
        await store.updateItem('r-1', 'i-p2', { ...identity('p2'), stage: 'failed', error: 'HTTP 503' });
        await store.updateItem('r-1', 'i-x', { ...identity('p9', 'campaigns_daily'), stage: 'failed', error: 'x' });
        await store.updateItem('r-1', 'i-y', { ...identity('p9', 'campaign'), stage: 'loaded' });
        await store.updateItem('r-1', 'i-z', { ...identity('p8'), client: 'globex', stage: 'failed', error: 'z' });
        await sleep(10);
        await store.updateItem('r-2', 'i-p1', { ...identity('p1'), stage: 'failed', error: 'restated pull failed' });
        await store.updateItem('r-2', 'i-p2', { ...identity('p2'), stage: 'failed', error: 'HTTP 500' });
        await store.updateItem('r-2', 'i-p3', { ...identity('p3'), stage: 'failed', error: 'boom' });
        // Neither loaded nor failed: not history yet.
        await store.updateItem('r-2', 'i-p4', { ...identity('p4'), stage: 'transformed' });

        const history = await store.listPartitionHistory(stream);
        expect(history.map((entry) => entry.partition)).toEqual(['p1', 'p2', 'p3']);
        const [p1, p2, p3] = history;
        expect(p1).toMatchObject({ loadedRunId: 'r-1', failedRunId: 'r-2', error: 'restated pull failed' });
        expect(p1!.loadedAt).toMatch(ISO);
        expect(Date.parse(p1!.failedAt!)).toBeGreaterThan(Date.parse(p1!.loadedAt!));
        expect(p2).toMatchObject({ failedRunId: 'r-2', error: 'HTTP 500' });
        expect(p2!.loadedAt).toBeUndefined();
        expect(p3).toMatchObject({ partition: 'p3', failedRunId: 'r-2', error: 'boom' });
        expect(await store.listPartitionHistory({ ...stream, stream: 'ads' })).toEqual([]);
      });

      it('shows a partition that failed and later loaded as loaded after its failure', async () => {
        await store.updateItem('r-1', 'i-p1', { ...identity('p1'), stage: 'failed', error: 'HTTP 503' });
        await sleep(10);
        await store.updateItem('r-3', 'i-p1', { ...identity('p1'), stage: 'loaded', rowsLoaded: 3 });
        // A late failure record of an older run never hides the newer one.
        const [p1] = await store.listPartitionHistory(stream);
        expect(p1).toMatchObject({ partition: 'p1', loadedRunId: 'r-3', failedRunId: 'r-1', error: 'HTTP 503' });
        expect(Date.parse(p1!.loadedAt!)).toBeGreaterThan(Date.parse(p1!.failedAt!));
      });
    });

    describe('discovered partitions', () => {
      const key = { client: 'acme', source: 'graph_ads', stream: 'campaigns' };

      it('keeps the newest discovery per stream, values in order', async () => {
        expect(await store.getDiscovery(key)).toBeUndefined();
        const first = {
          ...key,
          values: [{ account_id: '1002' }, { account_id: '1001' }],
          found: 3,
          discoveredAt: '2026-03-01T10:00:00.000Z',
          runId: 'r-1',
        };
        await store.putDiscovery(first);
        expect(await store.getDiscovery(key)).toEqual(first);
        const second = { ...first, values: [{ account_id: '1002', region: 'eu' }], found: 1, runId: 'r-2' };
        await store.putDiscovery(second);
        expect(await store.getDiscovery(key)).toEqual(second);
        expect(await store.getDiscovery({ ...key, stream: 'ads' })).toBeUndefined();
        expect(await store.getDiscovery({ ...key, client: 'globex' })).toBeUndefined();
      });

      it('records an empty discovery (every account gone) as such', async () => {
        await store.putDiscovery({
          ...key,
          values: [],
          found: 0,
          discoveredAt: '2026-03-02T10:00:00.000Z',
          runId: 'r-3',
        });
        expect((await store.getDiscovery(key))?.values).toEqual([]);
      });
    });

    describe('cursors', () => {
      const key: CursorKey = { client: 'acme', source: 'graph_ads', stream: 'campaigns', partition: 'act_1' };

      it('stores a cursor per client, source, stream and partition', async () => {
        expect(await store.getCursor(key)).toBeUndefined();
        expect(await store.putCursor({ ...key, value: '2026-03-01', runId: 'r-1' })).toBe(true);
        const stored = await store.getCursor(key);
        expect(stored).toMatchObject({ ...key, value: '2026-03-01', runId: 'r-1' });
        expect(stored?.updatedAt).toMatch(ISO);
        expect(await store.getCursor({ ...key, partition: 'act_2' })).toBeUndefined();
        expect(await store.getCursor({ ...key, stream: 'ads' })).toBeUndefined();
      });

      it('creates a cursor conditionally only when none exists (expected null)', async () => {
        expect(await store.putCursor({ ...key, value: 'v1', runId: 'r-1' }, null)).toBe(true);
        expect(await store.putCursor({ ...key, value: 'v-other', runId: 'r-2' }, null)).toBe(false);
        expect((await store.getCursor(key))?.value).toBe('v1');
      });

      it('advances a cursor only from the expected value', async () => {
        await store.putCursor({ ...key, value: 'v1', runId: 'r-1' });
        expect(await store.putCursor({ ...key, value: 'v2', runId: 'r-2' }, 'v0')).toBe(false);
        expect((await store.getCursor(key))?.value).toBe('v1');
        expect(await store.putCursor({ ...key, value: 'v2', runId: 'r-2' }, 'v1')).toBe(true);
        expect(await store.getCursor(key)).toMatchObject({ value: 'v2', runId: 'r-2' });
        // The loser of a race, still expecting v1, must not overwrite v2.
        expect(await store.putCursor({ ...key, value: 'v2-stale', runId: 'r-3' }, 'v1')).toBe(false);
        expect(await store.putCursor({ ...key, partition: 'act_9', value: 'x', runId: 'r-3' }, 'v1')).toBe(false);
        expect(await store.getCursor({ ...key, partition: 'act_9' })).toBeUndefined();
      });

      racingIt(
        options,
        'lets exactly one of several racing writers win',
      )(async () => {
        await store.putCursor({ ...key, value: 'v1', runId: 'r-1' });
        const results = await Promise.all(
          ['a', 'b', 'c', 'd'].map((writer) =>
            store.putCursor({ ...key, value: `v2-${writer}`, runId: `r-${writer}` }, 'v1'),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = ['a', 'b', 'c', 'd'][results.indexOf(true)];
        expect((await store.getCursor(key))?.value).toBe(`v2-${winner}`);
      });

      it('writes unconditionally when no expectation is given', async () => {
        await store.putCursor({ ...key, value: 'v1', runId: 'r-1' });
        expect(await store.putCursor({ ...key, value: 'v0', runId: 'r-2' })).toBe(true);
        expect((await store.getCursor(key))?.value).toBe('v0');
      });
    });

    describe('pieces of an item split into byte ranges', () => {
      it('counts each finished piece once, a redelivered one not again, items apart', async () => {
        expect(await store.finishPiece('r-1', 'i-1', 0)).toBe(1);
        expect(await store.finishPiece('r-1', 'i-1', 2)).toBe(2);
        expect(await store.finishPiece('r-1', 'i-1', 2)).toBe(2);
        expect(await store.finishPiece('r-1', 'i-2', 2)).toBe(1);
        expect(await store.finishPiece('r-2', 'i-1', 0)).toBe(1);
        expect(await store.finishPiece('r-1', 'i-1', 1)).toBe(3);
        // Piece records are not items.
        expect(await store.listItems('r-1')).toEqual([]);
      });

      racingIt(
        options,
        'lets exactly one of the pieces finishing at once see the item complete',
      )(async () => {
        const counts = await Promise.all([0, 1, 2, 3, 4, 5].map((piece) => store.finishPiece('r-1', 'i-1', piece)));
        expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
      });
    });
  });
}
