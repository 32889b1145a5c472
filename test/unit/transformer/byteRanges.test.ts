import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { lineAlignedRanges } from '../../../services/transformer/ranges/lineAlignedRanges';
import { mergePieces } from '../../../services/transformer/ranges/mergePieces';
import { quoteAwareRanges } from '../../../services/transformer/ranges/quoteAwareRanges';
import type { RangeJob } from '../../../services/transformer/ranges/transformRange';
import { transformRangesOnThreads } from '../../../services/transformer/ranges/transformRangesOnThreads';
import type { StreamDefinition } from '../../../shared/config/schema/source';
import { transform as transformSchema } from '../../../shared/config/schema/transform';
import { MESSAGE_VERSION, type RawReady } from '../../../shared/messages';
import { PermanentError } from '../../../shared/runtime/errors';
import { configFrom } from '../../support/extractorContext';

const lake = mkdtempSync(join(tmpdir(), 'dif-ranges-'));
afterAll(() => rmSync(lake, { recursive: true, force: true }));
const store = new DirectoryObjectStore(join(lake, 'lake'));

const message: RawReady = {
  v: MESSAGE_VERSION,
  kind: 'raw-ready',
  runId: 'r1',
  itemId: 'item1',
  client: 'c',
  source: 's',
  stream: 't',
  partition: 'all',
  partitionValues: {},
  label: 'c/s/t/all',
  runtime: 'lambda',
  extraction: 'sync',
  taskToken: 'token',
  raw: { manifestKey: 'raw/manifest.json', objects: 1, bytes: 0, pages: 1 },
  extractedAt: '2026-01-02T03:04:05.678Z',
};

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

  it('cuts a CSV object only where no quoted field is open, after its skipped lines and header', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => (i % 2 ? `${i},"a\nb ""c""\nd",1` : `${i},name,2`));
    const body = `title\nid,name,clicks\n${rows.join('\n')}\n`;
    await store.put('raw/big.csv', body);
    const size = Buffer.byteLength(body);
    const { dataStart, ranges } = await quoteAwareRanges(store, 'raw/big.csv', size, 4096, 1, '"');
    expect(dataStart).toBe('title\nid,name,clicks\n'.length);
    expect(ranges.length).toBeGreaterThan(10);
    expect(ranges[0]!.start).toBe(dataStart);
    expect(ranges.at(-1)!.end).toBe(size);
    for (const [i, range] of ranges.entries()) {
      if (i > 0) expect(range.start).toBe(ranges[i - 1]!.end);
      const text = body.slice(range.start, range.end);
      expect(text.split('"').length % 2, `range ${i} holds whole rows`).toBe(1);
      expect(text).toMatch(/^\d+,/);
    }
  });

  it('refuses an object with no line end near a cut: it is not line-delimited', async () => {
    await store.put('raw/one-line.json', `[${'1,'.repeat(100_000)}1]`);
    await expect(lineAlignedRanges(store, 'raw/one-line.json', 200_003, 50_000, 10_000)).rejects.toMatchObject({
      name: 'UnsplittableObjectError',
      message: expect.stringContaining('no line end within 10000 bytes after byte 49999'),
    });
  });

  it('transforms the pieces on 2 worker threads into one batch: every record once, the same content as on 1 thread', async () => {
    const body = jsonLines(20_000);
    await store.put('raw/threads.jsonl', body);
    const size = Buffer.byteLength(body);
    const ranges = await lineAlignedRanges(store, 'raw/threads.jsonl', size, 256 * 1024, 1024 * 1024);
    const stream = streamOf('{ type: jsonl }');
    const options = transformSchema.parse({});
    const jobs = (itemId: string): RangeJob[] =>
      ranges.map((range) => ({
        message: { ...message, itemId },
        stream,
        metadata: {},
        request: { partition: {}, client: {}, parentFields: {} },
        piece: { ...range, key: 'raw/threads.jsonl', whole: false, last: range.end === size },
      }));
    const run = async (itemId: string, threads: number) =>
      mergePieces(
        store,
        { message: { ...message, itemId }, stream, options },
        await transformRangesOnThreads(store.root, jobs(itemId), threads),
      );
    const two = await run('two', 2);
    const one = await run('one', 1);
    expect(two.table.rows).toBe(20_000);
    expect(two.table.contentHash).toBe(one.table.contentHash);
    const manifest = JSON.parse(await text(two.table.manifestKey)) as { entries: { url: string }[] };
    expect(manifest.entries).toHaveLength(two.table.parts);
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

  it('fails the item with the thread’s PermanentError, code and message kept', async () => {
    const stream = streamOf('{ type: jsonl }');
    await store.put('raw/huge-line.jsonl', `{"id":1}\n{"id":"${'x'.repeat(3000)}"}\n`);
    const tight = { ...stream, format: { ...stream.format, max_record_bytes: 1000 } };
    const job: RangeJob = {
      message,
      stream: tight,
      metadata: {},
      request: { partition: {}, client: {}, parentFields: {} },
      piece: { index: 0, key: 'raw/huge-line.jsonl', start: 0, end: 3020, whole: false, last: true },
    };
    const failed = transformRangesOnThreads(store.root, [job], 1);
    await expect(failed).rejects.toBeInstanceOf(PermanentError);
    await expect(failed).rejects.toMatchObject({
      code: 'Transform.Decode',
      message: expect.stringContaining('line 2'),
    });
  }, 60_000);
});
