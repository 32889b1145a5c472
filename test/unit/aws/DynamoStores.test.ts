import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRunStateStore, DynamoSecretRecordStore, ItemIdentityMissingError } from '../../../shared/adapters/aws';
import type { SecretRecord } from '../../../shared/ports';
import { documentClient, startDynalite, type RunningEmulator } from './support/emulators';

const TABLE = 'dif-test-state';

describe('DynamoRunStateStore and DynamoSecretRecordStore against dynalite', () => {
  let dynamo: RunningEmulator;
  let clock = new Date('2026-03-01T00:00:00Z');
  let store: DynamoRunStateStore;
  let secrets: DynamoSecretRecordStore;

  beforeAll(async () => {
    dynamo = await startDynalite(TABLE);
    const client = documentClient(dynamo.endpoint);
    store = new DynamoRunStateStore({ client, tableName: TABLE, now: () => clock });
    secrets = new DynamoSecretRecordStore({ client, tableName: TABLE });
  });
  afterAll(async () => {
    await dynamo?.close();
  });

  it('creates, updates and lists runs newest first', async () => {
    await store.createRun({
      runId: 'r1',
      status: 'running',
      startedAt: '2026-03-01T00:00:00.000Z',
      trigger: { by: 'schedule' },
    });
    await store.createRun({ runId: 'r2', status: 'running', startedAt: '2026-03-01T06:00:00.000Z' });
    await store.updateRun('r1', { status: 'succeeded', finishedAt: '2026-03-01T00:10:00.000Z', summary: { items: 3 } });
    expect(await store.getRun('r1')).toEqual({
      runId: 'r1',
      status: 'succeeded',
      startedAt: '2026-03-01T00:00:00.000Z',
      finishedAt: '2026-03-01T00:10:00.000Z',
      summary: { items: 3 },
      trigger: { by: 'schedule' },
    });
    expect((await store.listRuns()).map((run) => run.runId)).toEqual(['r2', 'r1']);
    expect((await store.listRuns(1)).map((run) => run.runId)).toEqual(['r2']);
    expect(await store.getRun('missing')).toBeUndefined();
  });

  it('creates items, merges patches from different stages and stamps stage times', async () => {
    const identity = { client: 'acme', source: 'ads', stream: 'campaigns', partition: 'all' };
    const created = await store.updateItem('r1', 'i1', { ...identity, stage: 'planned' });
    expect(created).toMatchObject({
      runId: 'r1',
      itemId: 'i1',
      ...identity,
      stage: 'planned',
      attempts: 0,
      stageTimes: { planned: clock.toISOString() },
    });
    clock = new Date('2026-03-01T00:01:00Z');
    await store.updateItem('r1', 'i1', { stage: 'extracted', pages: 4, rawBytes: 1000, attempts: 1 });
    clock = new Date('2026-03-01T00:02:00Z');
    const loaded = await store.updateItem('r1', 'i1', { stage: 'loaded', rowsLoaded: 10, table: 'acme.campaigns' });
    expect(loaded).toMatchObject({
      stage: 'loaded',
      pages: 4,
      rawBytes: 1000,
      attempts: 1,
      rowsLoaded: 10,
      updatedAt: '2026-03-01T00:02:00.000Z',
    });
    expect(loaded.stageTimes).toEqual({
      planned: '2026-03-01T00:00:00.000Z',
      extracted: '2026-03-01T00:01:00.000Z',
      loaded: '2026-03-01T00:02:00.000Z',
    });
    expect(await store.getItem('r1', 'i1')).toEqual(loaded);
    await store.updateItem('r1', 'i2', { ...identity, partition: 'p2', stage: 'failed', error: 'HTTP 401 from ads' });
    expect((await store.listItems('r1')).map((item) => item.itemId)).toEqual(['i1', 'i2']);
    expect(await store.listItems('r2')).toEqual([]);
  });

  it('refuses a first item write without identity fields', async () => {
    await expect(store.updateItem('r1', 'ghost', { stage: 'loaded' })).rejects.toBeInstanceOf(ItemIdentityMissingError);
    expect(await store.getItem('r1', 'ghost')).toBeUndefined();
  });

  it('keeps the newest load per partition', async () => {
    const identity = { client: 'acme', source: 'ads', stream: 'insights', partition: '2026-03-01' };
    clock = new Date('2026-03-02T00:00:00Z');
    await store.updateItem('r2', 'n1', { ...identity, stage: 'loaded', rowsLoaded: 5 });
    clock = new Date('2026-03-01T12:00:00Z');
    // A replay of an older run finishing late must not hide the newer load.
    await store.updateItem('r1', 'n1', { ...identity, stage: 'loaded', rowsLoaded: 3 });
    const latest = await store.listLatestLoads();
    const insights = latest.find((item) => item.stream === 'insights');
    expect(insights).toMatchObject({ runId: 'r2', rowsLoaded: 5 });
    expect(latest.find((item) => item.stream === 'campaigns')).toMatchObject({ runId: 'r1', itemId: 'i1' });
  });

  it('advances cursors conditionally', async () => {
    const key = { client: 'acme', source: 'ads', stream: 'campaigns', partition: 'all' };
    expect(await store.getCursor(key)).toBeUndefined();
    expect(await store.putCursor({ ...key, value: '2026-01-01', runId: 'r1' }, null)).toBe(true);
    expect(await store.putCursor({ ...key, value: '2026-01-05', runId: 'r2' }, null)).toBe(false);
    expect(await store.putCursor({ ...key, value: '2026-01-05', runId: 'r2' }, '2025-12-31')).toBe(false);
    expect(await store.putCursor({ ...key, value: '2026-01-05', runId: 'r2' }, '2026-01-01')).toBe(true);
    expect(await store.getCursor(key)).toEqual({
      ...key,
      value: '2026-01-05',
      runId: 'r2',
      updatedAt: clock.toISOString(),
    });
    expect(await store.putCursor({ ...key, value: '2026-01-09', runId: 'r3' })).toBe(true);
    expect((await store.getCursor(key))?.value).toBe('2026-01-09');
  });

  it('writes credential versions conditionally and lists them', async () => {
    const record: SecretRecord = {
      client: 'acme',
      source: 'ads',
      version: 1,
      ciphertext: 'Y2lwaGVy',
      encryptedDataKey: 'a2V5',
      keyId: 'alias/dif-test',
      fields: ['access_token'],
      createdAt: '2026-03-01T00:00:00.000Z',
      rotatedAt: '2026-03-01T00:00:00.000Z',
    };
    expect(await secrets.put(record)).toBe(true);
    expect(await secrets.put(record)).toBe(false);
    expect(await secrets.put({ ...record, version: 3 })).toBe(false);
    expect(await secrets.put({ ...record, version: 2, ciphertext: 'bmV3' })).toBe(true);
    expect(await secrets.put({ ...record, version: 2, ciphertext: 'bG9zZXI=' })).toBe(false);
    expect(await secrets.get('acme', 'ads')).toEqual({ ...record, version: 2, ciphertext: 'bmV3' });
    await secrets.put({ ...record, client: 'beta' });
    expect((await secrets.list()).map((entry) => `${entry.client}/${entry.source}`)).toEqual(['acme/ads', 'beta/ads']);
    await secrets.delete('beta', 'ads');
    expect(await secrets.get('beta', 'ads')).toBeUndefined();
  });
});
