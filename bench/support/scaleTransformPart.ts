import '../../shared/runtime/polyfills';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { loadConfig } from '../../shared/config';
import { writeScaleConfig } from '../../demo/scaleConfig';
import { mergePieces } from '../../services/transformer/ranges/mergePieces';
import { planPieces } from '../../services/transformer/ranges/planPieces';
import type { RangeJob } from '../../services/transformer/ranges/transformRange';
import { transformRangesOnThreads } from '../../services/transformer/ranges/transformRangesOnThreads';
import { transform as transformSchema } from '../../shared/config/schema/transform';
import { MESSAGE_VERSION, type RawReady } from '../../shared/messages';
import type { ScalePartOptions } from './scaleParts';

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const RANGE_BYTES = 256 * 2 ** 20;

/** Up to `bytes` of JSON lines shaped like the scale stream's records (account_id, date, clicks, a note). */
function* jsonLines(bytes: number): Generator<string> {
  let written = 0;
  let n = 0;
  for (;;) {
    let chunk = '';
    for (let i = 0; i < 2000; i++, n++) {
      const day = String((n % 28) + 1).padStart(2, '0');
      chunk += `{"account_id":${n % 10_000},"date":"2026-02-${day}","clicks":${(n * 31) % 997},"note":"row ${n} of the bench"}\n`;
    }
    // Stay within `bytes`: 2 GiB is then 8 ranges of 256 MiB, not 8 and a sliver.
    if (written + chunk.length > bytes) return;
    written += chunk.length;
    yield chunk;
  }
}

/**
 * A 2 GiB JSON-lines raw object cut as the transformer cuts it (about equal ranges of at most
 * 256 MiB) and transformed on 1 and 2 worker threads, in the order 1, 2, 2, 1: on a shared
 * machine the load drifts during a run, so each count's best time is compared.
 */
export async function runTransformPart(options: ScalePartOptions): Promise<Record<string, unknown>> {
  writeScaleConfig(join(options.dir, 'config'), { accounts: 1, days: 1 });
  const daily = loadConfig(join(options.dir, 'config')).sources.get('scale_demo')!.streams.daily!;
  // The scale stream's columns, read from a JSON-lines object (one record per line).
  const stream = { ...daily, format: { ...daily.format, type: 'jsonl' as const } };
  const store = new DirectoryObjectStore(join(options.dir, 'lake'));
  const key = 'raw/bench/scale_demo/daily/dt=all/run=bench/item-000001.jsonl';
  options.progress(`  writing ${options.gib} GiB of JSON lines…`);
  const { bytes } = await store.put(key, Readable.from(jsonLines(options.gib * 2 ** 30)));
  const transformOptions = { ...transformSchema.parse(stream.transform ?? {}), split_bytes: RANGE_BYTES };
  // Cut as the transformer cuts it: about equal line-aligned ranges of at most RANGE_BYTES.
  const pieces = (await planPieces(store, { objects: [{ key, bytes, page: 1 }] }, stream, transformOptions))!;
  const item = (run: number): RawReady => ({
    v: MESSAGE_VERSION,
    kind: 'raw-ready',
    runId: 'bench',
    itemId: `run${run}`,
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
    pieces.map((piece) => ({
      message,
      stream,
      metadata: {},
      request: { partition: {}, client: {}, parentFields: {} },
      piece,
    }));
  const runs: Record<string, unknown>[] = [];
  const best: Record<number, Record<string, unknown> & { seconds: number }> = {};
  let rows: number[] = [];
  for (const [index, threads] of [1, 2, 2, 1].entries()) {
    const loadBefore = round(loadavg()[0]!, 2);
    options.progress(`  ${pieces.length} ranges on ${threads} worker thread(s)…`);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const message = item(index);
    const results = await transformRangesOnThreads(store.root, jobs(message), threads);
    const { table } = await mergePieces(store, { message, stream, options: transformOptions }, results);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    rows = [...rows, table.rows];
    const run = {
      threads,
      seconds: round(seconds),
      mb_per_s: round(bytes / 2 ** 20 / seconds),
      rows: table.rows,
      parts: table.parts,
      // CPU of every thread of the process (worker threads, gzip's libuv pool) over wall time:
      // one worker thread already keeps more than one core busy, which caps the 2-thread speed-up.
      cpu_cores: round((cpu.user + cpu.system) / 1e6 / seconds, 2),
      load_average_before: loadBefore,
      load_average_after: round(loadavg()[0]!, 2),
    };
    runs.push(run);
    if (!best[threads] || run.seconds < best[threads].seconds) best[threads] = run;
    options.progress(`  ${threads} thread(s): ${JSON.stringify(run)}`);
  }
  return {
    raw_bytes: bytes,
    ranges: pieces.length,
    range_bytes: Math.max(...pieces.map((piece) => piece.end - piece.start)),
    same_rows: rows.every((count) => count === rows[0]),
    threads_1: best[1],
    threads_2: best[2],
    runs,
    speedup_2_threads: round(best[1]!.seconds / best[2]!.seconds, 2),
  };
}
