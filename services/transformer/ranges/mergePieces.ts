import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { TransformOptions } from '../../../shared/config/schema/transform';
import type { StreamDefinition } from '../../../shared/config/schema/source';
import type { RawReady } from '../../../shared/messages/rawReady';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { cleanManifestKey, quarantineKey } from '../objectKeys';
import { readSmallObject } from '../readSmallObject';
import type { CopyManifest } from '../output/copyManifest';
import { QuarantineWriter, type QuarantineEntry } from '../output/QuarantineWriter';
import type { WrittenTable } from '../output/TableWriter';
import { checkRejectedRatio, checkRejectedRows, noRecords, type TransformCounts } from '../transformRecords';
import type { TransformedRange } from './transformRange';

/** The item whose pieces are merged. */
export interface MergedItem {
  message: RawReady;
  stream: StreamDefinition;
  options: TransformOptions;
}

/**
 * Makes the pieces of an item one batch again: one COPY manifest listing every piece's parts in
 * piece order (so the item is loaded all or nothing), the counts summed, the rejects of every
 * piece in the item's quarantine object with record numbers counted from the start of their
 * raw object, and the reject thresholds and `expect_records` judged over the whole item.
 * The content hash (the batch id's content part) is a hash over the pieces' hashes.
 *
 * @example
 * const { table, counts } = await mergePieces(store, { message, stream, options }, results);
 */
export async function mergePieces(
  store: ObjectStore,
  item: MergedItem,
  pieces: TransformedRange[],
): Promise<{ table: WrittenTable; counts: TransformCounts }> {
  const counts: TransformCounts = { recordsIn: 0, rows: 0, rejected: 0, filtered: 0, duplicates: 0, childElements: 0 };
  for (const piece of pieces)
    for (const name of Object.keys(counts) as (keyof TransformCounts)[]) counts[name] += piece.counts[name];
  const quarantine = await mergeRejects(store, item.message, pieces);
  checkRejectedRows(counts.rejected, item.options, item.message);
  if (counts.recordsIn === 0 && item.stream.expect_records === 'always')
    throw noRecords(item.message, {
      objects: [...new Set(pieces.map((piece) => piece.key))].map((key) => ({ key, bytes: 0, page: 0 })),
    });
  checkRejectedRatio(counts, item.options, item.message, quarantine);
  return { table: await mergeManifests(store, pieces, item.message), counts };
}

async function mergeManifests(
  store: ObjectStore,
  pieces: TransformedRange[],
  message: RawReady,
): Promise<WrittenTable> {
  const manifestKey = cleanManifestKey(message);
  const entries: CopyManifest['entries'] = [];
  const hash = createHash('sha256');
  for (const piece of pieces) {
    const manifest = await readSmallObject(store, piece.table.manifestKey, 'COPY manifest of a piece');
    entries.push(...(JSON.parse(manifest) as CopyManifest).entries);
    hash.update(piece.table.contentHash);
  }
  await store.put(manifestKey, JSON.stringify({ entries }), { contentType: 'application/json' });
  const sourceOrder = pieces.find((piece) => piece.table.sourceOrder)?.table.sourceOrder;
  return {
    manifestKey,
    parts: pieces.reduce((sum, piece) => sum + piece.table.parts, 0),
    rows: pieces.reduce((sum, piece) => sum + piece.table.rows, 0),
    bytes: pieces.reduce((sum, piece) => sum + piece.table.bytes, 0),
    contentHash: hash.digest('hex'),
    ...(sourceOrder ? { sourceOrder } : {}),
  };
}

/**
 * Copies the pieces' rejects into the item's quarantine object. A range counts its records and
 * lines from its own start; here they go on from the ranges before it, as in a whole transform.
 */
async function mergeRejects(store: ObjectStore, message: RawReady, pieces: TransformedRange[]): Promise<string> {
  const quarantine = new QuarantineWriter(store, quarantineKey(message));
  const before = new Map<string, { records: number; lines: number }>();
  for (const piece of pieces) {
    const offset = before.get(piece.key) ?? { records: 0, lines: 0 };
    before.set(piece.key, { records: offset.records + piece.counts.recordsIn, lines: offset.lines + piece.lines });
    if (!piece.rejectsKey) continue;
    const lines = createInterface({ input: await store.get(piece.rejectsKey), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const entry = JSON.parse(line) as QuarantineEntry;
      await quarantine.add({
        ...entry,
        record: entry.record + offset.records,
        reason: renumbered(entry.reason, offset),
      });
    }
  }
  await quarantine.close();
  return quarantine.key;
}

/** A decoder's reason names the JSON line (`line N: …`) or CSV row (`row N: …`) counted within the range. */
function renumbered(reason: string, offset: { records: number; lines: number }): string {
  return reason.replace(
    /^(line|row) (\d+):/,
    (_, what: string, n: string) => `${what} ${Number(n) + (what === 'line' ? offset.lines : offset.records)}:`,
  );
}
