import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { transformWithCounts } from '../../../services/transformer';
import { planPieces } from '../../../services/transformer/ranges/planPieces';
import { transform as transformSchema } from '../../../shared/config/schema/transform';
import { transformerContext, type TransformerTestContext } from '../../support/transformerContext';

const contexts: TransformerTestContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

/** The same stream twice: transformed whole (split_bytes 0), and split into ranges of about `splitBytes`. */
function pair(stream: Record<string, unknown>, splitBytes: number) {
  const transform = (stream.transform ?? {}) as Record<string, unknown>;
  const whole = transformerContext({ ...stream, transform: { ...transform, split_bytes: 0 } });
  const split = transformerContext({ ...stream, transform: { ...transform, split_bytes: splitBytes } });
  contexts.push(whole, split);
  return { whole, split };
}

/** Data rows of every part, in manifest order, without the headers (and without the source position when asked). */
async function rowsOf(t: TransformerTestContext, manifestKey: string, dropLastColumn = false): Promise<string[]> {
  const lines = (await t.readParts(manifestKey)).flatMap((part) => part.split('\n').slice(1).filter(Boolean));
  return dropLastColumn ? lines.map((line) => line.slice(0, line.lastIndexOf(','))) : lines;
}

/** JSON lines of uneven length with a broken line and an uncastable value every so often. */
function jsonLines(count: number, from = 1): string {
  let text = '';
  for (let id = from; id < from + count; id++) {
    if (id % 97 === 0) text += `{"id": ${id}, "broken\n`;
    else if (id % 89 === 0) text += `${JSON.stringify({ id, name: 'bad clicks', clicks: 'many' })}\n`;
    else text += `${JSON.stringify({ id: id % 500, name: 'x'.repeat((id * 7919) % 120), clicks: id % 13 })}\n`;
  }
  return text;
}

describe('an item with a raw object over transform.split_bytes', () => {
  it('is transformed as ranges into the same rows, counts and quarantine as whole, merge order kept', async () => {
    const stream = {
      format: { type: 'jsonl' },
      columns: { id: 'bigint', name: 'varchar(200)', clicks: 'bigint', account: 'varchar(8)' },
      primary_key: ['id'],
      load: { table: 'report', mode: 'merge' },
      parent: { stream: 'accounts', fields: { account: 'id' } },
      transform: { add: { _partition: 'partition' } },
    };
    const { whole, split } = pair(stream, 16 * 1024);
    const objects = [
      { body: jsonLines(3000), ext: 'jsonl', context: { account: 'a1' } },
      { body: jsonLines(40, 5000), ext: 'jsonl', context: { account: 'a2' } },
    ];
    const one = await transformWithCounts(whole.ctx, await whole.stage(objects));
    const many = await transformWithCounts(split.ctx, await split.stage(objects));
    const pieces = await planPieces(
      split.store,
      JSON.parse(await split.readText('raw/acme/ads/report/dt=2026-01-01/run=r1/item1-manifest.json')),
      split.ctx.config.sources.get('ads')!.streams.report!,
      transformSchema.parse({ split_bytes: 16 * 1024 }),
    );
    expect(pieces!.length).toBeGreaterThan(5);
    expect(pieces!.at(-1)).toMatchObject({ whole: true, context: { account: 'a2' } });

    expect(many.counts).toEqual(one.counts);
    expect(one.counts.rejected).toBeGreaterThan(40);
    expect(many.message).toMatchObject({ recordsIn: 3040, rejected: one.counts.rejected });
    expect(many.message.clean.rows).toBe(one.message.clean.rows);
    expect(many.message.columns).toEqual(one.message.columns);
    expect(many.message.clean.sourceOrder).toBe('dif_source_row');
    expect(many.message.clean.parts).toBeGreaterThan(5);
    // The warehouse keeps the row of a key with the highest position: the order must be the source's.
    const positions = (await rowsOf(split, many.message.clean.manifestKey)).map((line) =>
      Number(line.slice(line.lastIndexOf(',') + 1)),
    );
    expect(positions.every((position, i) => i === 0 || position > positions[i - 1]!)).toBe(true);
    expect(await rowsOf(split, many.message.clean.manifestKey, true)).toEqual(
      await rowsOf(whole, one.message.clean.manifestKey, true),
    );
    const quarantined = (t: TransformerTestContext) =>
      t.readText('quarantine/acme/ads/report/run=r1/item1.jsonl').then((text) => text.split('\n'));
    expect(await quarantined(split)).toEqual(await quarantined(whole));
  }, 60_000);

  it('carries the CSV header and skipped lines into every range, never cuts a quoted line break, drops the footer once', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) =>
      i % 3 === 1 ? `${i},"two\nlines, ""quoted""",${i % 9}` : `${i},name ${i},${i % 9}`,
    );
    rows.splice(1200, 0, 'Total,in the middle,0');
    const body = `Report of clicks\nGenerated today\nid,name,clicks\n${rows.join('\n')}\nTotal,,99\n`;
    const stream = {
      format: { type: 'csv', skip_lines: 2, footer_pattern: '^Total' },
      columns: { id: 'bigint', name: 'varchar(40)', clicks: 'bigint' },
    };
    const { whole, split } = pair(stream, 4096);
    const one = await transformWithCounts(whole.ctx, await whole.stage([{ body, ext: 'csv' }]));
    const many = await transformWithCounts(split.ctx, await split.stage([{ body, ext: 'csv' }]));
    expect(many.message.clean.parts).toBeGreaterThan(5);
    expect(one.counts).toMatchObject({ recordsIn: 2501, rejected: 1 });
    expect(many.counts).toEqual(one.counts);
    expect(await rowsOf(split, many.message.clean.manifestKey)).toEqual(
      await rowsOf(whole, one.message.clean.manifestKey),
    );
  }, 60_000);

  it('judges the reject share over the whole item, not per range, and quarantines every range’s rejects', async () => {
    // All rejects in the first 10% of the item: over the 10% threshold in the first range only.
    const lines = Array.from({ length: 2000 }, (_, i) => `{"id": ${i < 150 ? '"x"' : i}}`);
    const stream = { format: { type: 'jsonl' }, columns: { id: 'bigint' } };
    const { split } = pair(stream, 2048);
    const done = await transformWithCounts(
      split.ctx,
      await split.stage([{ body: `${lines.join('\n')}\n`, ext: 'jsonl' }]),
    );
    expect(done.message).toMatchObject({ recordsIn: 2000, rejected: 150, clean: { rows: 1850 } });
    const quarantine = (await split.readText('quarantine/acme/ads/report/run=r1/item1.jsonl')).trim().split('\n');
    expect(quarantine.map((line) => (JSON.parse(line) as { record: number }).record)).toEqual(
      Array.from({ length: 150 }, (_, i) => i + 1),
    );

    const failing = Array.from({ length: 2000 }, (_, i) => `{"id": ${i % 5 === 0 ? '"x"' : i}}`);
    const { split: over } = pair(stream, 2048);
    await expect(
      transformWithCounts(over.ctx, await over.stage([{ body: `${failing.join('\n')}\n`, ext: 'jsonl' }])),
    ).rejects.toMatchObject({ name: 'RejectThresholdError', message: expect.stringContaining('400 of 2000 records') });
    expect((await over.readText('quarantine/acme/ads/report/run=r1/item1.jsonl')).trim().split('\n')).toHaveLength(400);
  }, 60_000);

  it('keeps whole what cannot be split: a gzip object, a stream with dedupe', async () => {
    const body = jsonLines(2000);
    const { split } = pair({ format: { type: 'jsonl' }, columns: { id: 'bigint' } }, 1024);
    const stream = split.ctx.config.sources.get('ads')!.streams.report!;
    await split.store.put('raw/big.jsonl.gz', gzipSync(body));
    await split.store.put('raw/big.jsonl', body);
    const options = transformSchema.parse({ split_bytes: 1024 });
    const manifest = (key: string, bytes: number) => ({ objects: [{ key, bytes, page: 1 }] });
    expect(await planPieces(split.store, manifest('raw/big.jsonl.gz', 20_000), stream, options)).toBeUndefined();
    expect(
      (await planPieces(split.store, manifest('raw/big.jsonl', body.length), stream, options))!.length,
    ).toBeGreaterThan(10);
    const deduped = transformSchema.parse({ split_bytes: 1024, dedupe: true });
    expect(await planPieces(split.store, manifest('raw/big.jsonl', body.length), stream, deduped)).toBeUndefined();
  });
});
