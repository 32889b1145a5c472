import type { TransformOptions } from '../../../shared/config/schema/transform';
import type { StreamDefinition } from '../../../shared/config/schema/source';
import type { RawPiece } from '../../../shared/messages/rawRange';
import type { RawManifest } from '../../../shared/messages/rawReady';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { lineAlignedRanges, readByteRange } from './lineAlignedRanges';
import { quoteAwareRanges } from './quoteAwareRanges';

export type { RawPiece } from '../../../shared/messages/rawRange';

/**
 * Why the stream's items are never split, or undefined when they may be: only plain JSON lines
 * and CSV have records that start on a line, and dedupe, evolving columns and child tables need
 * every record of the item in one place.
 */
export function whyNotSplit(stream: StreamDefinition, options: TransformOptions): string | undefined {
  if (options.split_bytes === 0) return 'transform.split_bytes is 0';
  if (stream.format.type !== 'jsonl' && stream.format.type !== 'csv')
    return `format ${stream.format.type} is not line-delimited`;
  if (stream.format.compression === 'gzip' || stream.format.compression === 'zip')
    return `format.compression is ${stream.format.compression}`;
  if (options.dedupe) return 'transform.dedupe needs the whole item';
  if (options.new_field === 'evolve') return 'transform.new_field: evolve needs the whole item';
  if (stream.children) return 'child tables are written with the whole item';
  return undefined;
}

/**
 * The pieces to transform the item in, or undefined when it is transformed whole: when the stream
 * cannot be split, or no raw object is over `transform.split_bytes`. An object over it is cut into
 * about equal line-aligned ranges of at most that size (CSV rows may hold quoted line breaks, so
 * CSV cuts count quotes); every other object of the item is one whole piece.
 *
 * @example
 * const pieces = await planPieces(store, manifest, stream, options); // [{ index: 0, key, start: 0, end: 268435512, … }, …]
 */
export async function planPieces(
  store: ObjectStore,
  manifest: RawManifest,
  stream: StreamDefinition,
  options: TransformOptions,
): Promise<RawPiece[] | undefined> {
  if (whyNotSplit(stream, options) !== undefined) return undefined;
  if (!manifest.objects.some((entry) => entry.bytes > options.split_bytes)) return undefined;
  const pieces: RawPiece[] = [];
  let split = false;
  for (const entry of manifest.objects) {
    const context = entry.context ? { context: entry.context } : {};
    const cut = entry.bytes > options.split_bytes ? await cutObject(store, entry.key, stream, options) : undefined;
    if (!cut || cut.ranges.length < 2) {
      pieces.push({
        index: pieces.length,
        key: entry.key,
        start: 0,
        end: entry.bytes,
        whole: true,
        last: true,
        ...context,
      });
      continue;
    }
    split = true;
    for (const range of cut.ranges)
      pieces.push({
        index: pieces.length,
        key: entry.key,
        start: range.start,
        end: range.end,
        whole: false,
        last: range.end === cut.size,
        ...(cut.header === undefined ? {} : { header: cut.header }),
        ...context,
      });
  }
  return split ? pieces : undefined;
}

/** Line-aligned ranges of one large object; none when it is compressed (its bytes are not lines). */
async function cutObject(store: ObjectStore, key: string, stream: StreamDefinition, options: TransformOptions) {
  const size = (await store.head(key))?.bytes;
  if (size === undefined || size <= options.split_bytes) return undefined;
  const magic = await readByteRange(store, key, 0, 4);
  if ((magic[0] === 0x1f && magic[1] === 0x8b) || (magic.length === 4 && magic.readUInt32BE(0) === 0x504b0304))
    return undefined;
  // About equal ranges: a 300 MiB object is two of 150 MiB, not 256 + 44.
  const rangeBytes = Math.ceil(size / Math.ceil(size / options.split_bytes));
  const format = stream.format;
  if (format.type !== 'csv')
    return { size, ranges: await lineAlignedRanges(store, key, size, rangeBytes, format.max_record_bytes) };
  if (Buffer.byteLength(format.quote) !== 1) return undefined;
  const { dataStart, ranges } = await quoteAwareRanges(store, key, size, rangeBytes, format.skip_lines, format.quote);
  // latin1 keeps every byte as one character: the header travels as text and is read back byte for byte.
  return { size, ranges, header: (await readByteRange(store, key, 0, dataStart)).toString('latin1') };
}
