import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ItemIdentityMissingError, RunNotFoundError, SqliteRunStateStore } from '../../../shared/adapters/local';

const identity = { client: 'acme', source: 'graph_ads', stream: 'campaigns', partition: 'p1' };

describe('SqliteRunStateStore (local-only behaviour)', () => {
  let dir: string;
  let now: Date;
  let store: SqliteRunStateStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dif-state-'));
    now = new Date('2026-03-01T10:00:00.000Z');
    store = SqliteRunStateStore.open(join(dir, 'state.db'), { now: () => now });
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stamps stage times and updatedAt with the injected clock', async () => {
    await store.updateItem('r-1', 'i-1', { ...identity, stage: 'extracting', attempts: 1 });
    now = new Date('2026-03-01T10:00:05.000Z');
    const item = await store.updateItem('r-1', 'i-1', { stage: 'extracted', pages: 2 });
    expect(item.stageTimes).toEqual({ extracting: '2026-03-01T10:00:00.000Z', extracted: '2026-03-01T10:00:05.000Z' });
    expect(item.updatedAt).toBe('2026-03-01T10:00:05.000Z');
    now = new Date('2026-03-01T10:00:09.000Z');
    expect((await store.updateItem('r-1', 'i-1', { recordsIn: 7 })).stageTimes).toEqual(item.stageTimes);
  });

  it('names the missing identity fields and the missing run', async () => {
    await expect(store.updateItem('r-1', 'i-1', { client: 'acme', stage: 'planned' })).rejects.toThrow(
      ItemIdentityMissingError,
    );
    await expect(store.updateItem('r-1', 'i-1', { client: 'acme' })).rejects.toThrow(
      'must set source, stream, partition',
    );
    await expect(store.updateRun('r-9', { status: 'failed' })).rejects.toThrow(RunNotFoundError);
  });

  it('never removes required fields, even when a patch sets them to undefined', async () => {
    await store.updateItem('r-1', 'i-1', { ...identity, stage: 'loaded', attempts: 1 });
    const item = await store.updateItem('r-1', 'i-1', { stage: undefined, client: undefined, attempts: undefined });
    expect(item).toMatchObject({ ...identity, stage: 'loaded', attempts: 1 });
  });

  it('picks the latest load by load time, not by run', async () => {
    await store.updateItem('r-2', 'i-1', { ...identity, stage: 'loaded', rowsLoaded: 2 });
    // A DLQ replay of an older run's item, loaded later, is the latest load.
    now = new Date('2026-03-01T11:00:00.000Z');
    await store.updateItem('r-1', 'i-1', { ...identity, stage: 'loaded', rowsLoaded: 1 });
    expect((await store.listLatestLoads()).map((item) => item.runId)).toEqual(['r-1']);
  });

  it('persists across reopen and replaces a run created twice', async () => {
    await store.createRun({ runId: 'r-1', status: 'running', startedAt: '2026-03-01T10:00:00.000Z' });
    await store.createRun({
      runId: 'r-1',
      status: 'running',
      startedAt: '2026-03-01T10:00:01.000Z',
      trigger: { by: 'retry' },
    });
    await store.putCursor({ ...identity, value: 'c1', runId: 'r-1' }, null);
    await store.close();
    store = SqliteRunStateStore.open(join(dir, 'state.db'));
    expect(await store.listRuns()).toEqual([
      { runId: 'r-1', status: 'running', startedAt: '2026-03-01T10:00:01.000Z', trigger: { by: 'retry' } },
    ]);
    expect(await store.getCursor(identity)).toMatchObject({ value: 'c1', updatedAt: '2026-03-01T10:00:00.000Z' });
  });
});

describe('SqliteRunStateStore in memory', () => {
  it('opens an in-memory database for read-only tools on an empty data dir', async () => {
    const store = SqliteRunStateStore.open(':memory:');
    expect(await store.listRuns()).toEqual([]);
    await store.close();
  });
});
