/**
 * The reference engine of bench:transform (issue 20.3): DuckDB on one thread turns the same
 * JSON-lines or JSON-document input into the same typed CSV DIF writes (same columns, casts and
 * cell text, checked by hash), then the CSV is gzipped at level 1 as DIF's parts are. CPU time is
 * the whole process's (DuckDB's threads and zlib's included), from just before the COPY to the
 * end of the gzip: parse + cast + CSV write + gzip -1, nothing else.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface DuckdbMeasurement {
  seconds: number;
  cpu_seconds: number;
  /** CPU seconds of the gzip -1 alone (part of cpu_seconds). */
  gzip_cpu_seconds: number;
  csv_bytes: number;
  rss_mb: number;
  /** sha256 of the CSV DuckDB wrote, compared by the parent with DIF's. */
  csv_sha256: string;
}

/** Each field read as text (as DIF's decoder sees it), `actions` kept as its JSON. */
const FIELDS: [string, string][] = [
  ['date_start', 'VARCHAR'],
  ['account_id', 'VARCHAR'],
  ['campaign_id', 'VARCHAR'],
  ['campaign_name', 'VARCHAR'],
  ['impressions', 'VARCHAR'],
  ['clicks', 'VARCHAR'],
  ['spend', 'VARCHAR'],
  ['ctr', 'VARCHAR'],
  ['actions', 'JSON'],
  ['updated_time', 'VARCHAR'],
];

/**
 * The bench's columns cast as DIF casts them: DATE, BIGINT, DECIMAL(18,6) with its six decimals,
 * VARCHAR(256) refused above 256 UTF-8 bytes, SUPER as compact JSON, TIMESTAMPTZ written in UTC
 * with microseconds, and `_extracted_at` (transform.add) as one constant cell.
 */
function selectList(extractedAtCell: string): string {
  return `CAST(date_start AS DATE) AS date_start,
  CAST(account_id AS BIGINT) AS account_id,
  CAST(campaign_id AS BIGINT) AS campaign_id,
  CASE WHEN strlen(campaign_name) <= 256 THEN campaign_name ELSE error('campaign_name above 256 bytes') END AS campaign_name,
  CAST(impressions AS BIGINT) AS impressions,
  CAST(clicks AS BIGINT) AS clicks,
  CAST(spend AS DECIMAL(18,6)) AS spend,
  CAST(ctr AS DECIMAL(18,6)) AS ctr,
  actions,
  strftime(CAST(updated_time AS TIMESTAMPTZ), '%Y-%m-%d %H:%M:%S.%f+00') AS updated_time,
  '${extractedAtCell}' AS _extracted_at`;
}

function sourceOf(format: 'jsonl' | 'json', input: string): string {
  const quoted = `'${input.replaceAll("'", "''")}'`;
  if (format === 'jsonl')
    return `read_json(${quoted}, format = 'newline_delimited', columns = {${FIELDS.map(([name, type]) => `${name}: '${type}'`).join(', ')}})`;
  // The document's records are at $.data; DuckDB reads the document whole, so its size is the object limit.
  const struct = `STRUCT(${FIELDS.map(([name, type]) => `${name} ${type}`).join(', ')})[]`;
  const limit = statSync(input).size + 1024;
  return `(SELECT r.* FROM (SELECT unnest(data) AS r FROM read_json(${quoted}, format = 'unstructured', maximum_object_size = ${limit}, columns = {data: '${struct}'})))`;
}

/**
 * `moduleUrl` is where `@duckdb/node-api` was resolved by the parent: the bundled child may run
 * from a data folder outside the repository, where a bare import would not find it.
 */
export async function duckdbTransform(
  format: 'jsonl' | 'json',
  input: string,
  outDir: string,
  extractedAtCell: string,
  moduleUrl: string,
): Promise<DuckdbMeasurement> {
  const { DuckDBInstance } = (await import(moduleUrl)) as typeof import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  await connection.run("SET threads = 1; SET TimeZone = 'UTC'; SET preserve_insertion_order = true");
  const csv = `${outDir}/duckdb.csv`;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  await connection.run(
    `COPY (SELECT ${selectList(extractedAtCell)} FROM ${sourceOf(format, input)}) TO '${csv}' (FORMAT csv, HEADER true)`,
  );
  const gzipBefore = process.cpuUsage();
  await pipeline(
    createReadStream(csv, { highWaterMark: 1 << 20 }),
    createGzip({ level: 1, chunkSize: 64 * 1024 }),
    createWriteStream(`${csv}.gz`),
  );
  const gzipCpu = process.cpuUsage(gzipBefore);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  connection.closeSync();
  instance.closeSync();
  return {
    seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    gzip_cpu_seconds: (gzipCpu.user + gzipCpu.system) / 1e6,
    csv_bytes: statSync(csv).size,
    rss_mb: process.resourceUsage().maxRSS / 1024,
    csv_sha256: await sha256File(csv),
  };
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
