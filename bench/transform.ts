/**
 * Transformer benchmark (issue 5). Generates its own inputs — marketing-insight rows with a
 * nested `actions[]` as JSON lines, the same rows as one JSON document ($.data), as CSV and as XML, plus a ~100 MB and a ~2 GB
 * JSON-lines object — and transforms each through `transformWithCounts` (decode → pipeline →
 * gzipped clean parts in a directory lake). Every measurement runs in a fresh child process
 * (bundled with esbuild, as in Lambda; pinned to one core with `taskset` when available), so
 * its peak RSS is its own.
 *
 * Children run with the transform Lambda's heap options (serverless/transformNodeOptions.cjs).
 * Each format runs --repeat times (default 3) and the run of median CPU time is reported, with two
 * floors measured after each run in a fresh child of their own, in CPU seconds (medians): the bare
 * parser (JSON.parse per line, papaparse, the XML scanner) over the input already in memory, and
 * gzip -1 of that run's clean output. Their sum is the fastest any transformer built on that parser and gzip could go on this
 * machine; `{csv,xml,jsonl}_ratio_vs_floor` is DIF's MB per CPU-second ÷ that floor's. A third
 * figure, the text I/O the floor leaves out (the input's UTF-8 checked and decoded, the output
 * encoded and hashed, from memory), gives `{format}_floor_ceiling`: the ratio to the floor that a
 * transformer doing nothing else (no record, no cast, no CSV cell) would reach, and for JSON lines
 * `jsonl_duckdb_ceiling`, the same against DuckDB.
 *
 * JSON lines and the JSON document are also transformed by DuckDB (issue 20.3: one thread, in its
 * own child, runs alternating with DIF's) into the same typed CSV — checked by sha256 against
 * DIF's, the run fails otherwise — then gzipped at level 1 (bench/support/duckdbTransform.ts).
 * `{jsonl,json}_ratio_vs_duckdb` is DIF's MB per CPU-second ÷ DuckDB's (parse + cast + CSV write
 * + gzip, CPU seconds of the whole process, not wall time).
 *
 * Usage: npm run bench:transform [-- --rows 1000000 --small-mb 100 --big-mb 2048 --repeat 3]
 * --node PATH measures with another Node.js binary (e.g. the Lambda's major version).
 * Iterating: --formats jsonl,csv (a subset), --skip-rss (no 100 MB / 2 GB runs), --data DIR (reuse
 * DIR across runs: inputs already generated there with the same --rows are not regenerated, and
 * nothing is deleted), --profile (children write a V8 CPU profile into DIR).
 * Last line: {"jsonl_ratio_vs_duckdb":…,"json_ratio_vs_duckdb":…,"csv_ratio_vs_floor":…,"xml_ratio_vs_floor":…,"jsonl_duckdb_ceiling":…,"csv_floor_ceiling":…,"xml_floor_ceiling":…,"jsonl_mb_s":…,"csv_mb_s":…,"xml_mb_s":…,"jsonl_records_s":…,"rss_mb_100mb":…,"rss_mb_2gb":…, …}
 */
import '../shared/runtime/polyfills';
import { isUtf8 } from 'node:buffer';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import Papa from 'papaparse';
import type { ObjectStore } from '../shared/ports/ObjectStore';
import type { DuckdbMeasurement } from './support/duckdbTransform';
import { median } from './support/median';

/** The transform Lambda's heap options (serverless.yml): every measurement runs as deployed. Read by the parent only. */
function transformHeapOptions(): string {
  return (createRequire(import.meta.url)('../serverless/transformNodeOptions.cjs') as { heapOptions: string })
    .heapOptions;
}

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'small-mb': { type: 'string', default: '100' },
    'big-mb': { type: 'string', default: '2048' },
    child: { type: 'string' },
    lake: { type: 'string' },
    key: { type: 'string' },
    keep: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '3' },
    node: { type: 'string' },
    formats: { type: 'string', default: 'jsonl,json,csv,xml' },
    'skip-rss': { type: 'boolean', default: false },
    data: { type: 'string' },
    profile: { type: 'boolean', default: false },
    engine: { type: 'string', default: 'dif' },
    'duckdb-module': { type: 'string' },
  },
});

/**
 * The run's extraction time, fixed so that DIF's `_extracted_at` cells and DuckDB's are the same
 * text and the two outputs can be compared by hash.
 */
const EXTRACTED_AT = '2026-01-01T00:00:00.000Z';
const EXTRACTED_AT_CELL = '2026-01-01 00:00:00.000000+00';

type Format = 'jsonl' | 'json' | 'csv' | 'xml';

const COLUMNS = {
  date_start: 'date',
  account_id: 'bigint',
  campaign_id: 'bigint',
  campaign_name: 'varchar(256)',
  impressions: 'bigint',
  clicks: 'bigint',
  spend: 'decimal(18,6)',
  ctr: 'decimal(18,6)',
  actions: 'super',
  updated_time: 'timestamptz',
};

const ACTION_TYPES = ['link_click', 'purchase', 'add_to_cart', 'view_content', 'lead'];

interface Row {
  date_start: string;
  account_id: string;
  campaign_id: string;
  campaign_name: string;
  impressions: string;
  clicks: string;
  spend: string;
  ctr: string;
  actions: { action_type: string; value: string }[];
  updated_time: string;
}

function row(i: number): Row {
  const actions = [];
  for (let a = 0; a < 1 + (i % 3); a++)
    actions.push({ action_type: ACTION_TYPES[(i + a) % 5]!, value: String((i * (a + 3)) % 997) });
  return {
    date_start: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
    account_id: String(100000 + (i % 50)),
    campaign_id: String(23850000000000000n + BigInt(i % 100000)),
    campaign_name: i % 13 === 0 ? `Spring "sale", wave ${i % 1000} – é` : `Campaign ${i % 1000}`,
    impressions: String((i * 37) % 1000000),
    clicks: String((i * 7) % 10000),
    spend: `${(i * 13) % 100000}.${String((i * 7919) % 1000000).padStart(6, '0')}`,
    ctr: `${i % 10}.${String(i % 10000).padStart(4, '0')}`,
    actions,
    updated_time: `2026-01-${String((i % 28) + 1).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:15:30+0000`,
  };
}

function jsonlLine(r: Row): string {
  return `${JSON.stringify(r)}\n`;
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const CSV_HEADER = `${Object.keys(COLUMNS).join(',')}\n`;
function csvLine(r: Row): string {
  return `${[r.date_start, r.account_id, r.campaign_id, csvCell(r.campaign_name), r.impressions, r.clicks, r.spend, r.ctr, csvCell(JSON.stringify(r.actions)), r.updated_time].join(',')}\n`;
}

function xmlEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');
}

function xmlLine(r: Row): string {
  const actions = r.actions
    .map((a) => `<action><action_type>${a.action_type}</action_type><value>${a.value}</value></action>`)
    .join('');
  return `<row><date_start>${r.date_start}</date_start><account_id>${r.account_id}</account_id><campaign_id>${r.campaign_id}</campaign_id><campaign_name>${xmlEscape(r.campaign_name)}</campaign_name><impressions>${r.impressions}</impressions><clicks>${r.clicks}</clicks><spend>${r.spend}</spend><ctr>${r.ctr}</ctr><actions>${actions}</actions><updated_time>${r.updated_time}</updated_time></row>\n`;
}

/** Writes rows until `rows` rows or `bytes` bytes, whichever comes first; returns the size. */
async function generate(
  path: string,
  format: Format,
  limit: { rows?: number; bytes?: number },
): Promise<{ bytes: number; rows: number }> {
  const out = createWriteStream(path);
  let buffer =
    format === 'csv'
      ? CSV_HEADER
      : format === 'xml'
        ? '<?xml version="1.0" encoding="UTF-8"?>\n<report><rows>\n'
        : format === 'json'
          ? '{"paging":{"next":null},"data":[\n'
          : '';
  let written = 0;
  let rows = 0;
  const lineOf = format === 'jsonl' ? jsonlLine : format === 'json' ? jsonlLine : format === 'csv' ? csvLine : xmlLine;
  while (
    (limit.rows === undefined || rows < limit.rows) &&
    (limit.bytes === undefined || written + buffer.length < limit.bytes)
  ) {
    if (format === 'json' && rows > 0) buffer += ',';
    buffer += lineOf(row(rows));
    rows++;
    if (buffer.length > 1 << 20) {
      written += buffer.length;
      await write(out, buffer);
      buffer = '';
    }
  }
  if (format === 'xml') buffer += '</rows></report>\n';
  if (format === 'json') buffer += '],"summary":{"rows":' + rows + '}}\n';
  await write(out, buffer);
  out.end();
  await once(out, 'finish');
  return { bytes: statSync(path).size, rows };
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** What the floors child measures (see measureFloors). */
interface Floors {
  /**
   * CPU seconds of the bare parser the decoder is built on (JSON.parse per line, papaparse, the
   * XML scanner with a handler that keeps nothing) over text already in memory: what no
   * transformer on that parser can beat.
   */
  parse_only_cpu_seconds?: number;
  /** CPU seconds to gzip this run's clean CSV again at the same level, from memory: the output's own floor. */
  gzip_only_cpu_seconds?: number;
  /**
   * CPU seconds of the text I/O any transformer working on JavaScript strings does besides parsing
   * and gzip, from memory: the input's UTF-8 checked and decoded 16 KiB at a time (as decodeText
   * does) and the clean CSV encoded back to UTF-8 and hashed (sha256, as PartWriter does for the
   * batch id). Not in the parser + gzip floor; with it, the floor's ceiling (see report).
   */
  text_io_cpu_seconds?: number;
  /** sha256 of the clean CSV (parts joined, the header once), compared with the reference engine's. */
  csv_sha256?: string;
}

interface Measurement extends Floors {
  seconds: number;
  /** User + system CPU of the whole process (zlib's thread included): robust on a busy machine. */
  cpu_seconds: number;
  bytes: number;
  records: number;
  rows: number;
  rss_mb: number;
}

/** Child mode: one transformation of `key` in the lake, measured. */
async function measure(format: Format, lake: string, key: string): Promise<void> {
  const { DirectoryObjectStore } = await import('../shared/adapters/local/DirectoryObjectStore');
  const { sourceDefinition } = await import('../shared/config/schema/source');
  const { transformWithCounts } = await import('../services/transformer/transformItem');
  const { logger } = await import('../shared/log/logger');
  logger.setLogLevel('WARN');
  const formatConfig =
    format === 'xml'
      ? { type: 'xml', record_element: 'row', compression: 'none' }
      : { type: format, compression: 'none' };
  const source = sourceDefinition.parse({
    name: 'bench',
    base_url: 'http://127.0.0.1',
    streams: {
      insights: {
        request: { path: '/insights' },
        format: formatConfig,
        records: '$.data',
        columns: COLUMNS,
        // One core, one pass over the whole object: splitting into byte ranges is bench:scale's part.
        transform: { add: { _extracted_at: 'extracted_at' }, max_rejected_ratio: 0, split_bytes: 0 },
        load: { table: 'insights' },
      },
    },
  });
  const store = new DirectoryObjectStore(lake);
  const bytes = statSync(join(lake, ...key.split('/'))).size;
  const manifestKey = `${key}.manifest.json`;
  await store.put(manifestKey, JSON.stringify({ objects: [{ key, bytes, page: 1 }] }));
  const unused = new Proxy(
    {},
    {
      get: () => () => {
        throw new Error('not used by the benchmark');
      },
    },
  );
  const ctx = {
    config: { dir: '.', sources: new Map([['bench', source]]), clients: new Map() },
    ports: {
      objectStore: store,
      queues: unused,
      runState: unused,
      secretRecords: unused,
      keyring: unused,
      workflow: unused,
      warehouse: unused,
      rateLimiter: unused,
      locks: unused,
      close: async () => undefined,
    },
    secrets: unused,
    now: () => new Date(),
  } as never;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const { counts } = await transformWithCounts(ctx, {
    v: 1,
    kind: 'raw-ready',
    runId: 'bench',
    itemId: `${format}-${bytes}`,
    client: 'bench',
    source: 'bench',
    stream: 'insights',
    partition: 'all',
    partitionValues: {},
    label: 'bench',
    runtime: 'lambda',
    extraction: 'sync',
    taskToken: 't',
    raw: { manifestKey, objects: 1, bytes, pages: 1 },
    extractedAt: EXTRACTED_AT,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const result: Measurement = {
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    bytes,
    records: counts.recordsIn,
    rows: counts.rows,
    rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  if (counts.rejected > 0 || counts.rows !== counts.recordsIn)
    throw new Error(`benchmark data was rejected: ${JSON.stringify(counts)}`);
  console.log(JSON.stringify(result));
}

/**
 * Child mode of the floors, in a process of their own after DIF's run: in DIF's process the bare
 * parser ran up to three times slower than alone (papaparse at 21 instead of 67 MB per CPU-second
 * after a 1 M-row run), as DIF's use had already shaped its optimised code. A floor is the best
 * that parser does, so it is measured fresh. The gzip floor and the hash read DIF's clean output.
 */
async function measureFloors(format: Format, lake: string, key: string): Promise<void> {
  const { DirectoryObjectStore } = await import('../shared/adapters/local/DirectoryObjectStore');
  const floors: Floors = {};
  if (format !== 'json') floors.parse_only_cpu_seconds = await parseOnly(format, join(lake, ...key.split('/')));
  const clean = await cleanParts(new DirectoryObjectStore(lake), 'clean/');
  floors.gzip_only_cpu_seconds = gzipOnly(clean);
  floors.text_io_cpu_seconds = textIoOnly(readFileSync(join(lake, ...key.split('/'))), clean);
  floors.csv_sha256 = joinedSha256(clean);
  console.log(JSON.stringify(floors));
}

/** CPU seconds of `work`, run on this thread. */
function cpuSecondsOf(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** CPU seconds the bare parser takes over the whole input, decoded to text beforehand (not counted). */
async function parseOnly(format: 'jsonl' | 'csv' | 'xml', path: string): Promise<number> {
  const text = readFileSync(path, 'utf8');
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += 64 * 1024) chunks.push(text.slice(at, at + 64 * 1024));
  if (format === 'xml') {
    const { XmlScanner } = await import('../services/transformer/decode/XmlScanner');
    const ignore = { open: () => undefined, text: () => undefined, close: () => undefined };
    return cpuSecondsOf(() => {
      const scanner = new XmlScanner(ignore, 1 << 20);
      for (const chunk of chunks) scanner.write(chunk);
      scanner.close();
    });
  }
  return cpuSecondsOf(() => parseTextOnly(format, chunks));
}

function parseTextOnly(format: 'jsonl' | 'csv', chunks: string[]): void {
  if (format === 'jsonl') {
    let carry = '';
    for (const chunk of chunks) {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      for (const line of lines) if (line.length > 0) JSON.parse(line);
    }
  } else {
    const parser = new Papa.Parser({ delimiter: ',', quoteChar: '"', newline: '\n' }) as unknown as {
      parse(input: string, base: number, ignoreLastRow: boolean): { meta: { cursor: number } };
    };
    let pending = '';
    for (const chunk of chunks) {
      pending += chunk;
      pending = pending.slice(parser.parse(pending, 0, true).meta.cursor);
    }
  }
}

/** This run's clean CSV parts, gunzipped, in part order. */
async function cleanParts(store: ObjectStore, prefix: string): Promise<Buffer[]> {
  const clean: Buffer[] = [];
  for (const { key } of (await store.list(prefix)).sort((a, b) => (a.key < b.key ? -1 : 1))) {
    if (!key.endsWith('.gz')) continue;
    const parts: Buffer[] = [];
    for await (const chunk of await store.get(key)) parts.push(chunk as Buffer);
    clean.push(gunzipSync(Buffer.concat(parts)));
  }
  return clean;
}

/** CPU seconds to gzip (level 1, as the transformer does) the clean CSV again, from memory. */
function gzipOnly(clean: Buffer[]): number {
  return cpuSecondsOf(() => {
    for (const csv of clean)
      for (let at = 0; at < csv.length; at += 256 * 1024) gzipSync(csv.subarray(at, at + 256 * 1024), { level: 1 });
  });
}

/**
 * CPU seconds of the text I/O around the parser ({@link Floors.text_io_cpu_seconds}). The output
 * is encoded from flat strings of about one decoded batch each (DIF encodes ropes of cells,
 * which cost more), so this stays a lower bound.
 */
function textIoOnly(input: Buffer, clean: Buffer[]): number {
  const BATCH_BYTES = 16 * 1024;
  const texts = clean.flatMap((csv) => {
    const pieces: string[] = [];
    for (let at = 0; at < csv.length; at += BATCH_BYTES) pieces.push(csv.toString('utf8', at, at + BATCH_BYTES));
    return pieces;
  });
  return cpuSecondsOf(() => {
    const decoder = new TextDecoder('utf-8');
    for (let at = 0; at < input.length; at += BATCH_BYTES) {
      const chunk = input.subarray(at, at + BATCH_BYTES);
      // A chunk cut inside a character is judged false; DIF's check carries the tail over, at the same cost.
      isUtf8(chunk);
      decoder.decode(chunk, { stream: true });
    }
    decoder.decode();
    const staging = Buffer.allocUnsafe(1024 * 1024);
    const hash = createHash('sha256');
    let used = 0;
    for (const text of texts) {
      if (used + text.length * 3 > staging.length) {
        hash.update(staging.subarray(0, used));
        used = 0;
      }
      used += staging.write(text, used);
    }
    hash.update(staging.subarray(0, used));
    hash.digest();
  });
}

/** sha256 of the clean CSV as one file: every part after the first starts with the header again, which is skipped. */
function joinedSha256(clean: Buffer[]): string {
  const hash = createHash('sha256');
  clean.forEach((csv, n) => hash.update(n === 0 ? csv : csv.subarray(csv.indexOf(10) + 1)));
  return hash.digest('hex');
}

/** Bundles this script once (as Lambda runs it: esbuild, no tsx), so children measure only the transformer. */
async function bundle(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'bench-transform.mjs');
  await build({
    entryPoints: [resolve(import.meta.dirname, 'transform.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@aws-sdk/*', '@duckdb/*', 'better-sqlite3', 'esbuild'],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Runs one measurement in a fresh child on one core: DIF's transform (`engine` dif), the floors
 * of its last output (`floors`), or the reference engine's transform (`duckdb`).
 */
function runChild<T = Measurement>(
  script: string,
  format: Format,
  lake: string,
  key: string,
  profileDir: string | undefined,
  engine: 'dif' | 'floors' | 'duckdb' = 'dif',
): T {
  const pin = hasTaskset() ? ['taskset', '-c', '0'] : [];
  const profile = profileDir
    ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${engine}-${format}.cpuprofile`]
    : [];
  const command = [
    ...pin,
    args.node ?? process.execPath,
    ...profile,
    script,
    '--child',
    format,
    '--lake',
    lake,
    '--key',
    key,
    '--engine',
    engine,
    ...(engine === 'duckdb' ? ['--duckdb-module', duckdbModuleUrl()] : []),
  ];
  const result = spawnSync(command[0]!, command.slice(1), {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    env: { ...process.env, NODE_OPTIONS: transformHeapOptions() },
  });
  if (result.status !== 0) throw new Error(`measurement of ${key} failed:\n${result.stderr}${result.stdout}`);
  const last = result.stdout.trim().split('\n').pop()!;
  return JSON.parse(last) as T;
}

/** `@duckdb/node-api` as this (parent) process resolves it, for a child bundled into a data folder anywhere. */
function duckdbModuleUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href;
}

/** Child mode of the reference engine: DuckDB's transform of `key` into a scratch folder of the lake, measured. */
async function measureReference(format: Format, lake: string, key: string): Promise<void> {
  if (format !== 'jsonl' && format !== 'json') throw new Error(`no reference engine for ${format}`);
  const { duckdbTransform } = await import('./support/duckdbTransform');
  const out = join(lake, 'reference');
  mkdirSync(out, { recursive: true });
  try {
    const path = join(lake, ...key.split('/'));
    console.log(JSON.stringify(await duckdbTransform(format, path, out, EXTRACTED_AT_CELL, args['duckdb-module']!)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Generates `file` unless a reused data folder already holds it for the same limit. */
async function input(
  rawDir: string,
  file: string,
  format: Format,
  limit: { rows?: number; bytes?: number },
  reuse: boolean,
): Promise<{ bytes: number; rows: number }> {
  const path = join(rawDir, file);
  const stamp = `${path}.${limit.rows ?? 'b'}-${limit.bytes ?? 'r'}.done`;
  if (reuse && existsSync(stamp)) return JSON.parse(readFileSync(stamp, 'utf8')) as { bytes: number; rows: number };
  const generated = await generate(path, format, limit);
  if (reuse) writeFileSync(stamp, JSON.stringify(generated));
  return generated;
}

/**
 * The run of median CPU time (the figure the ratios use): one slow run on a shared machine does
 * not decide. Also returns the spread of CPU seconds, to show the noise.
 */
function medianOf<T extends { cpu_seconds: number }>(runs: T[]): T & { cpu_spread: [number, number] } {
  const sorted = [...runs].sort((a, b) => a.cpu_seconds - b.cpu_seconds);
  const spread: [number, number] = [sorted[0]!.cpu_seconds, sorted.at(-1)!.cpu_seconds];
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, cpu_spread: spread };
}

/** Each floor's median over the repetitions (the output hash is the same in every one). */
function medianFloors(runs: Floors[]): Floors {
  const parse = runs.flatMap((run) => (run.parse_only_cpu_seconds === undefined ? [] : [run.parse_only_cpu_seconds]));
  return {
    parse_only_cpu_seconds: parse.length > 0 ? median(parse) : undefined,
    gzip_only_cpu_seconds: median(runs.map((run) => run.gzip_only_cpu_seconds!)),
    text_io_cpu_seconds: median(runs.map((run) => run.text_io_cpu_seconds!)),
    csv_sha256: runs[0]?.csv_sha256,
  };
}

/** The Node.js that runs the measurements: this one, or --node. */
function childNodeVersion(): string {
  return `node ${execFileSync(args.node ?? process.execPath, ['--version'], { encoding: 'utf8' }).trim()}`;
}

let tasksetChecked: boolean | undefined;
function hasTaskset(): boolean {
  if (tasksetChecked === undefined) {
    try {
      execFileSync('taskset', ['-c', '0', 'true']);
      tasksetChecked = true;
    } catch {
      tasksetChecked = false;
    }
  }
  return tasksetChecked;
}

/** Prints and records DIF's figures for one format, with its parser + gzip floor and the ratio to it. */
function report(
  format: Format,
  m: Measurement & { cpu_spread: [number, number] },
  figures: Record<string, number>,
): void {
  const rate = (seconds: number | undefined) => (seconds ? round(mb(m.bytes) / seconds) : undefined);
  const floorSeconds =
    m.parse_only_cpu_seconds && m.gzip_only_cpu_seconds ? m.parse_only_cpu_seconds + m.gzip_only_cpu_seconds : 0;
  const parser = format === 'csv' ? 'papaparse' : format === 'xml' ? 'the XML scanner' : 'JSON.parse';
  console.log(
    `  ${format}: ${rate(m.cpu_seconds)} MB per CPU-second (runs ${rate(m.cpu_spread[1])}–${rate(m.cpu_spread[0])}), ${rate(m.seconds)} MB/s wall, ${Math.round(m.records / m.seconds)} records/s, peak RSS ${round(m.rss_mb)} MB (median of ${args.repeat} by CPU time)` +
      (m.parse_only_cpu_seconds ? `; ${parser} alone ${rate(m.parse_only_cpu_seconds)} MB per CPU-second` : '') +
      (m.gzip_only_cpu_seconds
        ? `; gzip -1 of the output alone ${rate(m.gzip_only_cpu_seconds)} MB of input per CPU-second`
        : '') +
      (floorSeconds
        ? `; parser + gzip floor ${rate(floorSeconds)}, DIF at ${round(floorSeconds / m.cpu_seconds, 2)} of it`
        : '') +
      (floorSeconds && m.text_io_cpu_seconds
        ? `; text I/O alone (decode, encode, sha256) ${rate(m.text_io_cpu_seconds)}, so a transformer doing nothing but parse, text I/O and gzip reaches ${floorCeiling(floorSeconds, m)} of the floor`
        : ''),
  );
  figures[`${format}_mb_s`] = rate(m.seconds)!;
  figures[`${format}_mb_per_cpu_s`] = rate(m.cpu_seconds)!;
  if (m.parse_only_cpu_seconds) figures[`${format}_parse_only_mb_per_cpu_s`] = rate(m.parse_only_cpu_seconds)!;
  if (m.gzip_only_cpu_seconds) figures[`${format}_gzip_only_mb_per_cpu_s`] = rate(m.gzip_only_cpu_seconds)!;
  if (floorSeconds) {
    figures[`${format}_floor_mb_per_cpu_s`] = rate(floorSeconds)!;
    figures[`${format}_ratio_vs_floor`] = round(floorSeconds / m.cpu_seconds, 2);
  }
  if (m.text_io_cpu_seconds) figures[`${format}_text_io_mb_per_cpu_s`] = rate(m.text_io_cpu_seconds)!;
  if (floorSeconds && m.text_io_cpu_seconds) figures[`${format}_floor_ceiling`] = floorCeiling(floorSeconds, m);
  figures[`${format}_records_s`] = Math.round(m.records / m.seconds);
  figures[`${format}_rss_mb`] = round(m.rss_mb);
}

/**
 * The highest ratio to the parser + gzip floor that any transformer on JavaScript strings can
 * reach: one that does nothing but parse, gzip and the text I/O the floor leaves out.
 */
function floorCeiling(floorSeconds: number, m: Floors): number {
  return round(floorSeconds / (floorSeconds + m.text_io_cpu_seconds!), 2);
}

/**
 * DIF's MB per CPU-second ÷ DuckDB's on the same input, after checking that both wrote the same
 * CSV (a ratio between different outputs would mean nothing).
 */
function compareWithReference(
  format: Format,
  dif: Measurement,
  duckdb: DuckdbMeasurement & { cpu_spread: [number, number] },
  figures: Record<string, number>,
): void {
  if (dif.csv_sha256 !== duckdb.csv_sha256)
    throw new Error(
      `${format}: DuckDB's CSV differs from DIF's (sha256 ${duckdb.csv_sha256} vs ${dif.csv_sha256}); fix the reference query in bench/support/duckdbTransform.ts before comparing speeds`,
    );
  const rate = (seconds: number) => round(mb(dif.bytes) / seconds);
  const ratio = round(duckdb.cpu_seconds / dif.cpu_seconds, 2);
  console.log(
    `  ${format} DuckDB (1 thread) + gzip -1: ${rate(duckdb.cpu_seconds)} MB per CPU-second (runs ${rate(duckdb.cpu_spread[1])}–${rate(duckdb.cpu_spread[0])}; gzip ${round(duckdb.gzip_cpu_seconds, 2)} of ${round(duckdb.cpu_seconds, 2)} CPU-s), same CSV as DIF; peak RSS ${round(duckdb.rss_mb)} MB; DIF ÷ DuckDB = ${ratio}`,
  );
  figures[`${format}_duckdb_mb_per_cpu_s`] = rate(duckdb.cpu_seconds);
  figures[`${format}_duckdb_rss_mb`] = round(duckdb.rss_mb);
  figures[`${format}_ratio_vs_duckdb`] = ratio;
  // The same ceiling against DuckDB: a transformer doing nothing but JSON.parse, text I/O and gzip.
  if (dif.parse_only_cpu_seconds && dif.gzip_only_cpu_seconds && dif.text_io_cpu_seconds) {
    const least = dif.parse_only_cpu_seconds + dif.gzip_only_cpu_seconds + dif.text_io_cpu_seconds;
    figures[`${format}_duckdb_ceiling`] = round(duckdb.cpu_seconds / least, 2);
    console.log(
      `  ${format}: JSON.parse, text I/O and gzip alone would reach ${figures[`${format}_duckdb_ceiling`]} of DuckDB`,
    );
  }
}

const mb = (bytes: number) => bytes / (1024 * 1024);
const round = (n: number, digits = 1) => Number(n.toFixed(digits));

async function main(): Promise<void> {
  if (args.child) {
    const [format, lake, key] = [args.child as Format, args.lake!, args.key!];
    if (args.engine === 'duckdb') return measureReference(format, lake, key);
    return args.engine === 'floors' ? measureFloors(format, lake, key) : measure(format, lake, key);
  }
  const rows = Number(args.rows);
  const formats = args.formats.split(',') as Format[];
  const reuse = args.data !== undefined;
  mkdirSync(resolve('.bench'), { recursive: true });
  const dir = reuse ? resolve(args.data!) : mkdtempSync(resolve('.bench', 'transform-'));
  const lake = join(dir, 'lake');
  const rawDir = join(lake, 'raw');
  mkdirSync(rawDir, { recursive: true });
  const profileDir = args.profile ? dir : undefined;
  const done = (file: string) => {
    if (!reuse) rmSync(join(rawDir, file));
    rmSync(join(lake, 'clean'), { recursive: true, force: true });
  };
  try {
    const script = await bundle(dir);
    const load = (await import('node:os')).loadavg()[0]!;
    console.log(
      `bench:transform — load average ${load.toFixed(1)} on ${(await import('node:os')).availableParallelism()} cores; ${rows} rows per format; one core${hasTaskset() ? ' (taskset -c 0)' : ' (taskset unavailable: not pinned)'}; ${childNodeVersion()} ${transformHeapOptions()} (as the transform Lambda); data in ${dir}`,
    );
    const figures: Record<string, number> = {};
    for (const format of formats) {
      const file = `insights.${format}`;
      const generated = await input(rawDir, file, format, { rows }, reuse);
      console.log(`  generated ${file}: ${round(mb(generated.bytes))} MB`);
      const referenced = format === 'jsonl' || format === 'json';
      const difRuns: Measurement[] = [];
      const floorRuns: Floors[] = [];
      const referenceRuns: DuckdbMeasurement[] = [];
      // DIF and DuckDB alternate, so a busy spell on the shared machine falls on both.
      for (let n = 0; n < Math.max(1, Number(args.repeat)); n++) {
        difRuns.push(runChild(script, format, lake, `raw/${file}`, profileDir));
        floorRuns.push(runChild<Floors>(script, format, lake, `raw/${file}`, undefined, 'floors'));
        rmSync(join(lake, 'clean'), { recursive: true, force: true });
        if (referenced)
          referenceRuns.push(runChild<DuckdbMeasurement>(script, format, lake, `raw/${file}`, undefined, 'duckdb'));
      }
      const m = { ...medianOf(difRuns), ...medianFloors(floorRuns) };
      report(format, m, figures);
      if (referenced) compareWithReference(format, m, medianOf(referenceRuns), figures);
      done(file);
    }
    if (!args['skip-rss']) {
      for (const [label, size] of [
        ['100mb', Number(args['small-mb'])],
        ['2gb', Number(args['big-mb'])],
      ] as const) {
        const file = `insights-${label}.jsonl`;
        const generated = await input(rawDir, file, 'jsonl', { bytes: size * 1024 * 1024 }, reuse);
        console.log(`  generated ${file}: ${round(mb(generated.bytes))} MB`);
        const m = runChild(script, 'jsonl', lake, `raw/${file}`, undefined);
        console.log(`  jsonl ${label}: ${round(mb(m.bytes) / m.seconds)} MB/s, peak RSS ${round(m.rss_mb)} MB`);
        figures[`rss_mb_${label}`] = round(m.rss_mb);
        figures[`jsonl_${label}_mb_s`] = round(mb(m.bytes) / m.seconds);
        done(file);
      }
      figures.rss_ratio_2gb_vs_100mb = round(figures.rss_mb_2gb! / figures.rss_mb_100mb!, 2);
    }
    figures.load_average = round((await import('node:os')).loadavg()[0]!, 1);
    const ordered = {
      jsonl_ratio_vs_duckdb: figures.jsonl_ratio_vs_duckdb,
      json_ratio_vs_duckdb: figures.json_ratio_vs_duckdb,
      csv_ratio_vs_floor: figures.csv_ratio_vs_floor,
      xml_ratio_vs_floor: figures.xml_ratio_vs_floor,
      // What any transformer on JavaScript strings could reach at best (see floorCeiling).
      jsonl_duckdb_ceiling: figures.jsonl_duckdb_ceiling,
      csv_floor_ceiling: figures.csv_floor_ceiling,
      xml_floor_ceiling: figures.xml_floor_ceiling,
      jsonl_mb_s: figures.jsonl_mb_s,
      csv_mb_s: figures.csv_mb_s,
      xml_mb_s: figures.xml_mb_s,
      jsonl_records_s: figures.jsonl_records_s,
      rss_mb_100mb: figures.rss_mb_100mb,
      rss_mb_2gb: figures.rss_mb_2gb,
      ...figures,
    };
    writeFileSync(join(dir, 'result.json'), JSON.stringify(ordered));
    console.log(JSON.stringify(ordered));
  } finally {
    if (!args.keep && !reuse) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
