import { afterEach, describe, expect, it } from 'vitest';
import { cleanReady, parseMessage } from '../../../shared/messages';
import { isPermanent } from '../../../shared/runtime/errors';
import { transform } from '../../../services/transformer';
import { transformerContext, type TransformerTestContext } from '../../support/transformerContext';

let t: TransformerTestContext | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('transform handler', () => {
  it('records progress in run state and sends CleanReady to the load queue', async () => {
    t = transformerContext({ format: { type: 'csv' }, columns: { id: 'int' }, transform: { max_rejected_ratio: 0.5 } });
    const message = await t.stage([{ body: 'id\n1\n2\nx\n', ext: 'csv' }], { cursor: '2026-01-01' });
    await transform(t.ctx, { id: 'm1', body: JSON.stringify(message), receiveCount: 1 });
    const item = await t.ctx.ports.runState.getItem('r1', 'item1');
    expect(item).toMatchObject({
      stage: 'transformed',
      recordsIn: 3,
      recordsOut: 2,
      recordsRejected: 1,
      table: 'report',
      client: 'acme',
    });
    expect(item?.stageTimes.transforming).toBeDefined();
    const [sent] = await t.ctx.ports.queues.load.receive({ maxMessages: 10 });
    const clean = parseMessage(cleanReady, 'clean-ready', sent!.body);
    expect(clean).toMatchObject({
      itemId: 'item1',
      taskToken: 'token-1',
      cursor: '2026-01-01',
      recordsIn: 3,
      rejected: 1,
      clean: { rows: 2, parts: 1 },
    });
  });

  it('fails permanently with what, where and what to do, and marks the item failed', async () => {
    t = transformerContext({ format: { type: 'json' }, records: '$.data', columns: { id: 'int' } });
    const message = await t.stage([{ body: '{"data": [{"id": 1}, {"id": 2}' }]);
    const error = await transform(t.ctx, { id: 'm1', body: JSON.stringify(message), receiveCount: 1 }).catch(
      (e: unknown) => e,
    );
    expect(isPermanent(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /item1-000001\.json \(character \d+\): the document ends before its closing brackets\. The payload is truncated; re-extract it/,
    );
    expect(await t.ctx.ports.runState.getItem('r1', 'item1')).toMatchObject({
      stage: 'failed',
      error: (error as Error).message,
    });
    expect((await t.ctx.ports.queues.load.depth()).visible).toBe(0);
  });

  it('records an item whose records list is empty as transformed and empty (issue 14 §4)', async () => {
    t = transformerContext({ format: { type: 'json' }, records: '$.data', columns: { id: 'int' } });
    const message = await t.stage([{ body: '{"data": []}' }, { body: '{"data": [], "paging": {}}' }]);
    await transform(t.ctx, { id: 'm1', body: JSON.stringify(message), receiveCount: 1 });
    expect(await t.ctx.ports.runState.getItem('r1', 'item1')).toMatchObject({
      stage: 'transformed',
      empty: true,
      recordsIn: 0,
      recordsOut: 0,
    });
    const [sent] = await t.ctx.ports.queues.load.receive({ maxMessages: 10 });
    expect(parseMessage(cleanReady, 'clean-ready', sent!.body)).toMatchObject({ recordsIn: 0, clean: { rows: 0 } });
  });

  it('fails an empty item when the stream sets expect_records: always, saying what to do', async () => {
    t = transformerContext({
      format: { type: 'csv' },
      expect_records: 'always',
      columns: { id: 'int' },
    });
    const message = await t.stage([{ body: 'id\n', ext: 'csv' }]);
    const error = await transform(t.ctx, { id: 'm1', body: JSON.stringify(message), receiveCount: 1 }).catch(
      (e: unknown) => e,
    );
    expect(isPermanent(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^item item1 \(ads\.report, partition 2026-01-01\): no records in 1 raw object \(raw\/.*manifest\.json\), and the stream sets expect_records: always\. Check the request/,
    );
    expect(await t.ctx.ports.runState.getItem('r1', 'item1')).toMatchObject({ stage: 'failed' });
    expect((await t.ctx.ports.queues.load.depth()).visible).toBe(0);
  });

  it('fails an item whose records path is missing unless the stream allows it (allow_missing)', async () => {
    t = transformerContext({ format: { type: 'json' }, records: '$.data', columns: { id: 'int' } });
    const missing = await t.stage([{ body: '{"data": [{"id": 1}]}' }, { body: '{"error": {"code": 17}}' }]);
    const error = await transform(t.ctx, { id: 'm1', body: JSON.stringify(missing), receiveCount: 1 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /item1-000002\.json: records path \$\.data is not in the document \(its top-level fields: error\)/,
    );
    await t.close();
    t = transformerContext({
      format: { type: 'json' },
      records: '$.data',
      expect_records: 'allow_missing',
      columns: { id: 'int' },
    });
    const allowed = await t.stage([{ body: '{"data": [{"id": 1}]}' }, { body: '{"paging": {}}' }]);
    await transform(t.ctx, { id: 'm1', body: JSON.stringify(allowed), receiveCount: 1 });
    const item = await t.ctx.ports.runState.getItem('r1', 'item1');
    expect(item).toMatchObject({ stage: 'transformed', recordsOut: 1 });
    expect(item?.empty).toBeUndefined();
  });

  it('fails permanently when the message names a stream the configuration lacks', async () => {
    t = transformerContext({ columns: { id: 'int' } });
    const message = await t.stage([{ body: '[]' }], { stream: 'gone' });
    const error = await transform(t.ctx, { id: 'm1', body: JSON.stringify(message), receiveCount: 1 }).catch(
      (e: unknown) => e,
    );
    expect(isPermanent(error)).toBe(true);
    expect((error as Error).message).toContain('no stream ads.gone in the deployed configuration');
  });

  it('rejects a body that is not a RawReady message', async () => {
    t = transformerContext({ columns: { id: 'int' } });
    await expect(transform(t.ctx, { id: 'm1', body: '{"v":1}', receiveCount: 1 })).rejects.toThrow(
      /invalid raw-ready message/,
    );
  });
});
