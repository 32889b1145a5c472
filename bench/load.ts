/**
 * Loader benchmark (issue 6): a generated clean CSV (default 1M rows) loaded into the local
 * PostgreSQL through the loader (gzipped parts in a directory object store → COPY FROM STDIN,
 * ledger in the same transaction) and, in the same run, with `psql \copy` of the same CSV into an
 * identical table. Each append is timed twice, alternating, and the best of each is kept.
 * Merge figures: a merge into an empty table, then a merge of the same keys over it.
 *
 * Usage: npm run bench:load [-- --rows 1000000 --parts 4]   (DATABASE_URL, default local `test`)
 * Last line: {"rows":…,"loader_s":…,"psql_copy_s":…,"ratio_vs_psql":…, …}
 */
import '../shared/runtime/polyfills';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { PassThrough, type Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DirectoryObjectStore } from '../shared/adapters/local/DirectoryObjectStore';
import type { LoadRequest, TableSpec } from '../shared/ports/Warehouse';
import { PostgresWarehouse } from '../services/loader/warehouse/postgres/PostgresWarehouse';
import { logger } from '../shared/log';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, parts: { type: 'string', default: '4' } },
});
const ROWS = Number(args.rows);
const PARTS = Number(args.parts);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `dif_bench_${process.pid}`;

const COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'day', type: 'date' },
  { name: 'campaign_id', type: 'bigint' },
  { name: 'campaign_name', type: 'varchar(128)' },
  { name: 'spend', type: 'decimal(18,6)' },
  { name: 'impressions', type: 'bigint' },
  { name: 'clicks', type: 'int' },
  { name: 'updated_at', type: 'timestamp' },
];
const HEADER = COLUMNS.map((column) => column.name).join(',');
const DDL_COLUMNS =
  'id bigint, day date, campaign_id bigint, campaign_name varchar(128), spend numeric(18,6), impressions bigint, clicks integer, updated_at timestamp';

/** One deterministic clean CSV line (contract format: \N NULLs, quoted text when needed). */
function line(i: number): string {
  const day = `2026-01-${String((i % 28) + 1).padStart(2, '0')}`;
  const name = i % 17 === 0 ? `"Spring, ""sale"" ${i % 1000}"` : `campaign ${i % 1000}`;
  const clicks = i % 11 === 0 ? '\\N' : String(i % 500);
  return `${i},${day},${i % 1000},${name},${i % 100000}.${String(i % 1000000).padStart(6, '0')},${i * 7},${clicks},${day} 12:34:56.000000\n`;
}

async function writeAll(out: Writable, from: number, to: number): Promise<void> {
  let buffer = '';
  for (let i = from; i < to; i++) {
    buffer += line(i);
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  if (buffer && !out.write(buffer)) await once(out, 'drain');
}

/** The CSV for psql (one file) and the same rows as gzipped parts + manifest in the lake. */
async function generate(
  dir: string,
  store: DirectoryObjectStore,
): Promise<{ csvFile: string; manifestKey: string; gzBytes: number }> {
  const csvFile = join(dir, 'bench.csv');
  const csv = createWriteStream(csvFile);
  csv.write(`${HEADER}\n`);
  await writeAll(csv, 0, ROWS);
  csv.end();
  await once(csv, 'finish');

  const entries = [];
  let gzBytes = 0;
  const perPart = Math.ceil(ROWS / PARTS);
  for (let n = 0; n < PARTS; n++) {
    const key = `clean/bench/bench/rows/dt=all/run=bench/item-part-${n}.csv.gz`;
    const body = new PassThrough();
    const gzip = createGzip({ level: 1 });
    gzip.pipe(body);
    const put = store.put(key, body);
    gzip.write(`${HEADER}\n`);
    await writeAll(gzip, n * perPart, Math.min(ROWS, (n + 1) * perPart));
    gzip.end();
    const stored = await put;
    gzBytes += stored.bytes;
    entries.push({ url: store.uri(key), mandatory: true, meta: { content_length: stored.bytes } });
  }
  const manifestKey = 'clean/bench/bench/rows/dt=all/run=bench/item-manifest.json';
  await store.put(manifestKey, JSON.stringify({ entries }));
  return { csvFile, manifestKey, gzBytes };
}

function psql(sql: string): void {
  execFileSync('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
  });
}

async function timed<T>(label: string, work: () => Promise<T> | T): Promise<{ seconds: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.error(`  ${label}: ${seconds.toFixed(2)} s`);
  return { seconds, result };
}

async function main(): Promise<void> {
  logger.setLogLevel('WARN');
  const dir = mkdtempSync(join(tmpdir(), 'dif-bench-load-'));
  const store = new DirectoryObjectStore(join(dir, 'lake'));
  const warehouse = new PostgresWarehouse({ objectStore: store, connectionString: DATABASE_URL });
  try {
    console.error(`generating ${ROWS} rows in ${PARTS} gzipped parts…`);
    const { csvFile, manifestKey, gzBytes } = await generate(dir, store);
    const csvBytes = statSync(csvFile).size;
    console.error(`  ${(csvBytes / 1e6).toFixed(1)} MB CSV, ${(gzBytes / 1e6).toFixed(1)} MB gzipped`);
    psql(`CREATE SCHEMA ${SCHEMA}`);

    const table = (name: string, primaryKey: string[] = []): TableSpec => ({
      schema: SCHEMA,
      table: name,
      columns: COLUMNS,
      primaryKey,
    });
    const request = (batchId: string, spec: TableSpec, mode: LoadRequest['mode']): LoadRequest => ({
      batchId,
      table: spec,
      mode,
      manifestKey,
    });
    const loaderTimes: number[] = [];
    const psqlTimes: number[] = [];
    for (const round of [1, 2]) {
      psql(`CREATE TABLE ${SCHEMA}.psql_${round} (${DDL_COLUMNS})`);
      const copy = await timed(`psql \\copy (round ${round})`, () =>
        psql(`\\copy ${SCHEMA}.psql_${round} (${HEADER}) FROM '${csvFile}' WITH (FORMAT csv, HEADER, NULL '\\N')`),
      );
      psqlTimes.push(copy.seconds);
      // The loader creates its own table from the declared columns; create it first so both
      // timings cover the same work (the COPY), not DDL.
      psql(`CREATE TABLE ${SCHEMA}.loader_${round} (${DDL_COLUMNS})`);
      const loaded = await timed(`loader append (round ${round})`, () =>
        warehouse.load(request(`bench-append-${round}`, table(`loader_${round}`), 'append')),
      );
      if (loaded.result.rowsLoaded !== ROWS)
        throw new Error(`loader loaded ${loaded.result.rowsLoaded} rows, expected ${ROWS}`);
      loaderTimes.push(loaded.seconds);
    }
    const replay = await timed('loader replay (no-op)', () =>
      warehouse.load(request('bench-append-1', table('loader_1'), 'append')),
    );
    if (replay.result.status !== 'already_loaded') throw new Error('a replayed batch was loaded again');

    const mergeSpec = table('merged', ['id']);
    const mergeEmpty = await timed('loader merge into an empty table', () =>
      warehouse.load(request('bench-merge-1', mergeSpec, 'merge')),
    );
    const mergeOver = await timed('loader merge over the same keys', () =>
      warehouse.load(request('bench-merge-2', mergeSpec, 'merge')),
    );
    const [{ n }] = (await warehouse.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.merged`)) as [{ n: number }];
    if (n !== ROWS) throw new Error(`merged table holds ${n} rows, expected ${ROWS}`);

    const loaderS = Math.min(...loaderTimes);
    const psqlS = Math.min(...psqlTimes);
    console.log(
      JSON.stringify({
        rows: ROWS,
        parts: PARTS,
        csv_mb: Number((csvBytes / 1e6).toFixed(1)),
        gz_mb: Number((gzBytes / 1e6).toFixed(1)),
        loader_s: Number(loaderS.toFixed(3)),
        psql_copy_s: Number(psqlS.toFixed(3)),
        ratio_vs_psql: Number((loaderS / psqlS).toFixed(3)),
        loader_rows_per_s: Math.round(ROWS / loaderS),
        replay_noop_s: Number(replay.seconds.toFixed(3)),
        merge_empty_s: Number(mergeEmpty.seconds.toFixed(3)),
        merge_overwrite_s: Number(mergeOver.seconds.toFixed(3)),
        merge_ratio_vs_psql: Number((mergeOver.seconds / psqlS).toFixed(3)),
      }),
    );
  } finally {
    psql(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
