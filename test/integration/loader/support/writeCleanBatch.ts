import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../../../../shared/ports/ObjectStore';

export type CsvValue = string | number | boolean | null;

/** Writes one clean CSV field per docs/pipeline-contracts.md (NULL is \N; a literal \N is quoted). */
export function csvField(value: CsvValue): string {
  if (value === null) return '\\N';
  const text = String(value);
  if (text === '' || text === '\\N' || /[",\n\r]/.test(text)) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function csvText(columns: string[], rows: CsvValue[][]): string {
  return [columns.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n') + '\n';
}

/**
 * Writes rows as gzipped clean CSV parts plus a Redshift-format manifest, the way the
 * transformer does, and returns the manifest key.
 */
export async function writeCleanBatch(
  store: ObjectStore,
  prefix: string,
  columns: string[],
  parts: CsvValue[][][],
): Promise<string> {
  const entries = [];
  for (const [n, rows] of parts.entries()) {
    const key = `${prefix}-part-${n}.csv.gz`;
    const body = gzipSync(csvText(columns, rows));
    await store.put(key, body);
    entries.push({ url: store.uri(key), mandatory: true, meta: { content_length: body.length } });
  }
  const manifestKey = `${prefix}-manifest.json`;
  await store.put(manifestKey, JSON.stringify({ entries }));
  return manifestKey;
}
