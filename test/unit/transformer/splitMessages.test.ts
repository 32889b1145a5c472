/**
 * The AWS path of an item over transform.split_bytes: the transform handler sends one RawRange
 * message per piece to its own queue; each piece is transformed by a delivery of its own and
 * counted once in run state; the last one merges them and sends the item's one CleanReady. Here
 * the context has no piece threads (the local profile's), so the handler fans out as on AWS.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { transform } from '../../../services/transformer/handlers/transform';
import { transformWithCounts } from '../../../services/transformer';
import { cleanReady, rawRange, type CleanReady, type RawRange } from '../../../shared/messages';
import type { ReceivedMessage } from '../../../shared/ports/Queue';
import { transformerContext, type TransformerTestContext } from '../../support/transformerContext';

const contexts: TransformerTestContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** The same context off the local profile: no worker threads, so a split item fans out (or runs here). */
function offLocalProfile(t: TransformerTestContext): void {
  t.ctx.runSettings = undefined;
}

function body(): string {
  let text = '';
  for (let n = 1; n <= 2000; n++)
    text +=
      n % 101 === 0
        ? `{"id": ${n}, "broken\n`
        : `${JSON.stringify({ id: n % 300, clicks: n, note: 'y'.repeat(n % 70) })}\n`;
  return text;
}

const STREAM = {
  format: { type: 'jsonl' },
  columns: { id: 'bigint', clicks: 'bigint', note: 'varchar(100)' },
  primary_key: ['id'],
  load: { table: 'report', mode: 'merge' },
};

async function drain(t: TransformerTestContext, queue: 'transform' | 'load'): Promise<ReceivedMessage[]> {
  const all: ReceivedMessage[] = [];
  for (;;) {
    const got = await t.ctx.ports.queues[queue].receive({ maxMessages: 10 });
    if (got.length === 0) return all;
    for (const message of got) await t.ctx.ports.queues[queue].ack(message.receiptHandle);
    all.push(...got);
  }
}

describe('a split item on AWS: one transform message per piece, one CleanReady', () => {
  it('fans out, counts each piece once, and the last piece sends the same batch a whole transform makes', async () => {
    const split = transformerContext({ ...STREAM, transform: { split_bytes: 4096 } });
    const whole = transformerContext({ ...STREAM, transform: { split_bytes: 0 } });
    contexts.push(split, whole);
    offLocalProfile(split);
    const message = await split.stage([{ body: body(), ext: 'jsonl' }]);
    const deliver = (text: string, receiveCount = 1) => transform(split.ctx, { id: 'm', body: text, receiveCount });

    await deliver(JSON.stringify(message));
    const sent = await drain(split, 'transform');
    const pieces = sent.map((received) => rawRange.parse(JSON.parse(received.body)) as RawRange);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.map((piece) => piece.piece.index)).toEqual(pieces.map((_, i) => i));
    expect(pieces.every((piece) => piece.pieces === pieces.length && piece.taskToken === message.taskToken)).toBe(true);
    expect(await drain(split, 'load')).toEqual([]);
    expect(await split.ctx.ports.runState.getItem('r1', 'item1')).toMatchObject({ stage: 'transforming' });

    // Out of order, and the first piece delivered twice before the end: still not complete.
    const [first, ...rest] = sent;
    for (const received of rest.slice(0, -1).reverse()) await deliver(received.body);
    await deliver(first!.body);
    await deliver(first!.body, 2);
    expect(await drain(split, 'load')).toEqual([]);
    await deliver(rest.at(-1)!.body);
    const loads = (await drain(split, 'load')).map((received) => cleanReady.parse(JSON.parse(received.body)));
    expect(loads).toHaveLength(1);
    const done: CleanReady = loads[0]!;

    const reference = await transformWithCounts(whole.ctx, await whole.stage([{ body: body(), ext: 'jsonl' }]));
    expect(done).toMatchObject({
      recordsIn: reference.message.recordsIn,
      rejected: reference.message.rejected,
      clean: { rows: reference.message.clean.rows, sourceOrder: 'dif_source_row' },
      taskToken: message.taskToken,
    });
    const rowsOf = async (t: TransformerTestContext, key: string) =>
      (await t.readParts(key)).flatMap((part) =>
        part
          .split('\n')
          .slice(1)
          .filter(Boolean)
          .map((line) => line.slice(0, line.lastIndexOf(','))),
      );
    expect(await rowsOf(split, done.clean.manifestKey)).toEqual(
      await rowsOf(whole, reference.message.clean.manifestKey),
    );
    expect(await split.ctx.ports.runState.getItem('r1', 'item1')).toMatchObject({
      stage: 'transformed',
      recordsIn: 2000,
      recordsRejected: reference.counts.rejected,
    });
    const quarantine = await split.readText('quarantine/acme/ads/report/run=r1/item1.jsonl');
    expect(quarantine.trim().split('\n')).toHaveLength(19);

    // A piece delivered again after the item completed sends the same batch again: the ledger loads it once.
    await deliver(rest[0]!.body, 2);
    const again = (await drain(split, 'load')).map((received) => cleanReady.parse(JSON.parse(received.body)));
    expect(again.map((load) => load.batchId)).toEqual([done.batchId]);
  }, 120_000);

  it('without a queue to fan out to (transformWithCounts off the local profile), runs the pieces here, one after the other', async () => {
    const split = transformerContext({ ...STREAM, transform: { split_bytes: 4096 } });
    contexts.push(split);
    offLocalProfile(split);
    const done = await transformWithCounts(split.ctx, await split.stage([{ body: body(), ext: 'jsonl' }]));
    expect(done.message).toMatchObject({ recordsIn: 2000, rejected: 19, clean: { rows: 1981 } });
    expect(done.message.clean.parts).toBeGreaterThan(5);
    expect(await drain(split, 'transform')).toEqual([]);
  }, 60_000);
});
