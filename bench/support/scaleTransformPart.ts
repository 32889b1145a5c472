import '../../shared/runtime/polyfills';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { loadConfig } from '../../shared/config';
import { writeScaleConfig } from '../../demo/scaleConfig';
import { lineAlignedRanges } from '../../services/transformer/ranges/lineAlignedRanges';
import { mergePieces } from '../../services/transformer/ranges/mergePieces';
import type { RangeJob } from '../../services/transformer/ranges/transformRange';
import { transformRangesOnThreads } from '../../services/transformer/ranges/transformRangesOnThreads';
import { transform as transformSchema } from '../../shared/config/schema/transform';
import { MESSAGE_VERSION, type RawReady } from '../../shared/messages';
import type { ScalePartOptions } from './scaleParts';

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const RANGE_BYTES = 256 * 2 ** 20;

/** `gib` GiB of JSON lines shaped like the scale stream's records (account_id, date, clicks, a note). */
function* jsonLines(bytes: number): Generator<string> {
  let written = 0;
  let n = 0;
  while (written < bytes) {
    let chunk = '';
    for (let i = 0; i < 2000; i++, n++) {
      const day = String((n % 28) + 1).padStart(2, '0');
      chunk += `{"account_id":${n % 10_000},"date":"2026-02-${day}","clicks":${(n * 31) % 997},"note":"row ${n} of the bench"}\n`;
    }
    written += chunk.length;
    yield chunk;
  }
}

/** A 2 GiB JSON-lines raw object transformed as 256 MiB ranges on 1, then 2 worker threads. */
export async function runTransformPart(options: ScalePartOptions): Promise<Record<string, unknown>> {
  writeScaleConfig(join(options.dir, 'config'), { accounts: 1, days: 1 });
  const daily = loadConfig(join(options.dir, 'config')).sources.get('scale_demo')!.streams.daily!;
  // The scale stream's columns, read from a JSON-lines object (one record per line).
  const stream = { ...daily, format: { ...daily.format, type: 'jsonl' as const } };
  const store = new DirectoryObjectStore(join(options.dir, 'lake'));
  const key = 'raw/bench/scale_demo/daily/dt=all/run=bench/item-000001.jsonl';
  options.progress(`  writing ${options.gib} GiB of JSON lines…`);
  const { bytes } = await store.put(key, Readable.from(jsonLines(options.gib * 2 ** 30)));
  const ranges = await lineAlignedRanges(store, key, bytes, RANGE_BYTES, stream.format.max_record_bytes);
  const item = (threads: number): RawReady => ({
    v: MESSAGE_VERSION,
    kind: 'raw-ready',
    runId: 'bench',
    itemId: `t${threads}`,
    client: 'bench',
    source: 'scale_demo',
    stream: 'daily',
    partition: 'all',
    partitionValues: {},
    label: 'bench/scale_demo/daily/all',
    runtime: 'lambda',
    extraction: 'sync',
    taskToken: 'bench',
    raw: { manifestKey: `${key}.manifest.json`, objects: 1, bytes, pages: 1 },
    extractedAt: new Date().toISOString(),
  });
  const jobs = (message: RawReady): RangeJob[] =>
    ranges.map((range) => ({
      message,
      stream,
      metadata: {},
      request: { partition: {}, client: {}, parentFields: {} },
      piece: { ...range, key, whole: false, last: range.end === bytes },
    }));
  const transformOptions = transformSchema.parse(stream.transform ?? {});
  const timings: Record<string, unknown> = {};
  let rows: number[] = [];
  for (const threads of [1, 2]) {
    const loadBefore = round(loadavg()[0]!, 2);
    options.progress(`  ${ranges.length} ranges on ${threads} worker thread(s)…`);
    const started = performance.now();
    const message = item(threads);
    const results = await transformRangesOnThreads(store.root, jobs(message), threads);
    const { table } = await mergePieces(store, { message, stream, options: transformOptions }, results);
    const seconds = (performance.now() - started) / 1000;
    rows = [...rows, table.rows];
    timings[`threads_${threads}`] = {
      seconds: round(seconds),
      mb_per_s: round(bytes / 2 ** 20 / seconds),
      rows: table.rows,
      parts: table.parts,
      load_average_before: loadBefore,
      load_average_after: round(loadavg()[0]!, 2),
    };
    options.progress(`  ${threads} thread(s): ${JSON.stringify(timings[`threads_${threads}`])}`);
  }
  const one = (timings.threads_1 as { seconds: number }).seconds;
  const two = (timings.threads_2 as { seconds: number }).seconds;
  return {
    raw_bytes: bytes,
    ranges: ranges.length,
    range_bytes: RANGE_BYTES,
    same_rows: rows[0] === rows[1],
    ...timings,
    speedup_2_threads: round(one / two, 2),
  };
}
