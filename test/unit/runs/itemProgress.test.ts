import { afterEach, describe, expect, it } from 'vitest';
import { SqliteRunStateStore } from '../../../shared/adapters/local/SqliteRunStateStore';
import { itemProgress } from '../../../shared/runState/itemProgress';
import { isDelivered, isTerminal, STAGE_ORDER } from '../../../shared/runState/itemStages';
import { consumeMessage, DeadLetterNowError } from '../../../shared/runtime/consumeMessage';
import { PermanentError } from '../../../shared/runtime/errors';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';

const item = { runId: 'r1', itemId: 'i1', client: 'acme', source: 'ads', stream: 'stats', partition: 'all' };
const startedAt = '2026-02-01T00:00:00Z';

describe('item progress: every run-state write of an item, in one place', () => {
  let store: SqliteRunStateStore;
  const open = async () => {
    store = SqliteRunStateStore.open(':memory:');
    await store.createRun({ runId: 'r1', status: 'running', startedAt });
    return store;
  };
  afterEach(async () => store?.close());

  it('counts attempts across StartJob and Extract and clears the last attempt’s error, which loading clears too', async () => {
    const progress = itemProgress(await open(), item);
    await progress.planned();
    await progress.attemptStarted();
    await progress.retrying('HTTP 503 from the API');
    await progress.attemptStarted();
    expect(await store.getItem('r1', 'i1')).toMatchObject({ stage: 'extracting', attempts: 2 });
    expect((await store.getItem('r1', 'i1'))?.error).toBeUndefined();
    await progress.extracted({ pages: 2, rawBytes: 10 });
    await progress.transforming();
    await progress.transformed({ empty: false, recordsIn: 3, recordsOut: 3, recordsRejected: 0, table: 'acme.stats' });
    await progress.failed('Load.WarehouseDown: connection refused');
    await progress.loading('acme.stats');
    await progress.loaded({ table: 'acme.stats', rowsLoaded: 3, recordsIn: 3, recordsOut: 3, recordsRejected: 0 });
    const loaded = await store.getItem('r1', 'i1');
    expect(loaded).toMatchObject({ stage: 'loaded', attempts: 2, pages: 2, rowsLoaded: 3, table: 'acme.stats' });
    expect(loaded?.error).toBeUndefined();
  });

  it('records a caught failure unless the item is delivered, keeping the error a stage recorded itself', async () => {
    const progress = itemProgress(await open(), item);
    await progress.planned();
    await progress.failed('Extract.HttpError: HTTP 401, check the token');
    await progress.failedUnlessDelivered('States.Timeout');
    expect((await store.getItem('r1', 'i1'))?.error).toBe('Extract.HttpError: HTTP 401, check the token');

    await progress.superseded({ table: 'acme.stats', recordsIn: 1, recordsOut: 1, recordsRejected: 0 });
    await progress.failedUnlessDelivered('States.Timeout');
    expect(await store.getItem('r1', 'i1')).toMatchObject({ stage: 'superseded', rowsLoaded: 0 });

    // An item run state never heard of is created from the caught item's identity.
    await itemProgress(store, { ...item, itemId: 'i2' }).failedUnlessDelivered('States.Timeout');
    expect(await store.getItem('r1', 'i2')).toMatchObject({ stage: 'failed', client: 'acme', error: 'States.Timeout' });
  });

  it('fails, at Finalize, only items that stopped before a terminal stage, saying where', async () => {
    await open();
    for (const stage of STAGE_ORDER) {
      const ref = { ...item, itemId: stage };
      await itemProgress(store, ref).planned();
      await store.updateItem('r1', stage, { stage });
      await itemProgress(store, ref).failedIfUnfinished((await store.getItem('r1', stage))!);
      const after = await store.getItem('r1', stage);
      if (isTerminal(stage)) expect(after?.stage).toBe(stage);
      else
        expect(after).toMatchObject({
          stage: 'failed',
          error: `did not finish (stopped at stage ${stage}); see the execution history`,
        });
    }
    expect(STAGE_ORDER.filter(isTerminal)).toEqual(['loaded', 'failed', 'superseded']);
    expect(STAGE_ORDER.filter(isDelivered)).toEqual(['loaded', 'superseded']);
  });

  it('records a dead-lettered message of an item run state lost, instead of losing the failure too', async () => {
    await open();
    const ctx = { ports: { runState: store, workflow: {} } } as unknown as ServiceContext;
    const body = JSON.stringify({ ...item, itemId: 'lost', label: 'acme/ads/stats/all' });
    const consumed = consumeMessage(
      ctx,
      'transform',
      { id: 'm1', body, receiveCount: 1 },
      async () => {
        throw new PermanentError('Transform.BadData', 'row 3 is not JSON');
      },
      { maxReceiveCount: 5 },
    );
    await expect(consumed).rejects.toBeInstanceOf(DeadLetterNowError);
    expect(await store.getItem('r1', 'lost')).toMatchObject({
      stage: 'failed',
      client: 'acme',
      partition: 'all',
      error: expect.stringMatching(/^Transform\.BadData: row 3 is not JSON/),
    });
  });
});
