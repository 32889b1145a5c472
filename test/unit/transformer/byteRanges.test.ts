import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { headerLine, lineAlignedRanges } from '../../../services/transformer/ranges/lineAlignedRanges';
import { transformRange, type RangeJob } from '../../../services/transformer/ranges/transformRange';
import { mergeRanges, transformRangesOnThreads } from '../../../services/transformer/ranges/transformRangesOnThreads';
import type { StreamDefinition } from '../../../shared/config/schema/source';
import { configFrom } from '../../support/extractorContext';

const lake = mkdtempSync(join(tmpdir(), 'dif-ranges-'));
afterAll(() => rmSync(lake, { recursive: true, force: true }));
const store = new DirectoryObjectStore(join(lake, 'lake'));

/** JSON lines of uneven length (2–300 bytes of name), so cuts land anywhere inside lines. */
function jsonLines(count: number): string {
  let text = '';
  for (let id = 1; id <= count; id++)
    text += `${JSON.stringify({ id, name: 'x'.repeat((id * 7919) % 300), clicks: id % 13 })}\n`;
  return text;
}

function streamOf(format: string): StreamDefinition {
  const config = configFrom({
    sources: {
      s: `name: s\nbase_url: https://api.example.com\nstreams:\n  t:\n    request: { path: /t }\n    format: ${format}\n    columns: { id: bigint, name: varchar(400), clicks: bigint }\n    load: { table: t }\n`,
    },
    clients: { c: 'client: c\nsources:\n  s: {}\n' },
  });
  return config.sources.get('s')!.streams.t!;
}

async function text(key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('large raw objects as line-aligned byte ranges', () => {
  it('cuts a JSON-lines object into ranges of whole lines that cover it exactly, reading only around each cut', async () => {
    const body = jsonLines(5000);
    await store.put('raw/big.jsonl', body);
    const size = Buffer.byteLength(body);
    const ranges = await lineAlignedRanges(store, 'raw/big.jsonl', size, 64 * 1024, 1024 * 1024);
    expect(ranges.length).toBeGreaterThan(8);
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(size);
    const bytes = Buffer.from(body);
    for (const [i, range] of ranges.entries()) {
      if (i > 0) expect(range.start).toBe(ranges[i - 1]!.end);
      expect(bytes[range.end - 1]).toBe(0x0a);
      expect(range.end - range.start).toBeLessThan(64 * 1024 + 400);
    }
    const joined = ranges.map((range) => bytes.subarray(range.start, range.end).toString('utf8')).join('');
    expect(joined).toBe(body);
  });

  it('starts a CSV object after its header, which every range carries', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `${i + 1},name ${i + 1},${i % 5}`).join('\n');
    const body = `id,name,clicks\n${rows}\n`;
    await store.put('raw/big.csv', body);
    const size = Buffer.byteLength(body);
    const ranges = await lineAlignedRanges(store, 'raw/big.csv', size, 8 * 1024, 1024, true);
    expect(ranges[0]!.start).toBe('id,name,clicks\n'.length);
    expect((await headerLine(store, 'raw/big.csv', size, 1024)).toString()).toBe('id,name,clicks\n');
    const stream = streamOf('{ type: csv }');
    const header = 'id,name,clicks\n';
    const results = [];
    for (const range of ranges)
      results.push(
        await transformRange(store, {
          key: 'raw/big.csv',
          range,
          header,
          stream,
          metadata: {},
          cleanPrefix: 'clean/csv/item',
        }),
      );
    expect(results.reduce((sum, result) => sum + result.table.rows, 0)).toBe(3000);
    expect(results.every((result) => result.rejected === 0)).toBe(true);
  });

  it('refuses an object with no line end near a cut: it is not line-delimited', async () => {
    await store.put('raw/one-line.json', `[${'1,'.repeat(100_000)}1]`);
    await expect(lineAlignedRanges(store, 'raw/one-line.json', 200_003, 50_000, 10_000)).rejects.toMatchObject({
      name: 'UnsplittableObjectError',
      message: expect.stringContaining('no line end within 10000 bytes after byte 49999'),
    });
  });

  it('transforms the ranges on 2 worker threads into one batch: every record once, the same content as on 1 thread', async () => {
    const body = jsonLines(20_000);
    await store.put('raw/threads.jsonl', body);
    const size = Buffer.byteLength(body);
    const ranges = await lineAlignedRanges(store, 'raw/threads.jsonl', size, 256 * 1024, 1024 * 1024);
    const stream = streamOf('{ type: jsonl }');
    const jobs = (prefix: string): RangeJob[] =>
      ranges.map((range) => ({ key: 'raw/threads.jsonl', range, stream, metadata: {}, cleanPrefix: prefix }));
    const two = await mergeRanges(
      store,
      await transformRangesOnThreads(store.root, jobs('clean/two/item'), 2),
      'clean/two/item-manifest.json',
    );
    const one = await mergeRanges(
      store,
      await transformRangesOnThreads(store.root, jobs('clean/one/item'), 1),
      'clean/one/item-manifest.json',
    );
    expect(two.rows).toBe(20_000);
    expect(two.contentHash).toBe(one.contentHash);
    const manifest = JSON.parse(await text('clean/two/item-manifest.json')) as { entries: { url: string }[] };
    expect(manifest.entries).toHaveLength(two.parts);
    const ids = manifest.entries.flatMap((entry) => {
      const csv = gunzipSync(readFileSync(join(store.root, store.keyFromUri(entry.url)))).toString();
      return csv
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[0]));
    });
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids).size).toBe(20_000);
  }, 60_000);
});
