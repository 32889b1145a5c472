import { transform as transformSchema } from '../../../shared/config/schema/transform';
import type { StreamDefinition } from '../../../shared/config/schema/source';
import type { RawReady } from '../../../shared/messages/rawReady';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { TransformConfigError } from '../errors';
import { QuarantineWriter } from '../output/QuarantineWriter';
import { TableWriter, type WrittenTable } from '../output/TableWriter';
import type { RequestValues } from '../pipeline/compileColumn';
import { RecordPipeline } from '../pipeline/RecordPipeline';
import { transformRecords, type TransformCounts } from '../transformRecords';
import { pieceManifestKey, piecePartKey, pieceRejectsKey } from './pieceKeys';
import { whyNotSplit, type RawPiece } from './planPieces';
import { PieceStore } from './PieceStore';

/** Rows one piece may number: each piece's source positions start at `index × 2³²`. */
export const PIECE_ROWS = 2 ** 32;

/** What one piece of an item became. */
export interface TransformedRange {
  index: number;
  key: string;
  counts: TransformCounts;
  /** Line ends in a range (0 for a whole object): where the next range's lines start counting. */
  lines: number;
  table: WrittenTable;
  /** The piece's rejected records (`object`, `record` within the piece), when it had any. */
  rejectsKey?: string;
}

/** One piece of an item to transform: plain data, sent to a worker thread as is. */
export interface RangeJob {
  message: RawReady;
  stream: StreamDefinition;
  /** Run metadata for `transform.add`. */
  metadata: Record<string, string>;
  /** Partition, client params and parent fields, as the item's columns read them. */
  request: RequestValues;
  piece: RawPiece;
}

/**
 * Transforms one piece of an item split by {@link planPieces} with the item's own record loop
 * (context, rename, filter, explode, casts) into clean parts and rejects of its own. Reject
 * thresholds and `expect_records` are judged over the whole item when the pieces are merged; only
 * `max_rejected_rows`, passed by one piece alone, fails early.
 *
 * @example
 * const done = await transformRange(store, { message, stream, metadata, request, piece });
 */
export async function transformRange(store: ObjectStore, job: RangeJob): Promise<TransformedRange> {
  const { message, stream, piece } = job;
  const options = transformSchema.parse(stream.transform ?? {});
  const refused = whyNotSplit(stream, options);
  if (refused)
    throw new TransformConfigError(`${piece.key}: not transformed as byte ranges (${refused}); transform it whole`);
  const pipeline = new RecordPipeline({
    columns: stream.columns,
    options,
    primaryKey: stream.primary_key,
    metadata: job.metadata,
    request: job.request,
  });
  const table = new TableWriter(store, {
    manifestKey: pieceManifestKey(message, piece.index),
    partKey: (n) => piecePartKey(message, piece.index, n),
    header: pipeline.header,
    partBytes: options.part_bytes,
    gzipLevel: options.gzip_level,
    sourceOrder: stream.load.mode === 'merge',
    sourceOrderFrom: piece.index * PIECE_ROWS,
  });
  const quarantine = new QuarantineWriter(store, pieceRejectsKey(message, piece.index));
  const outputs = { table, children: [], quarantine, flush: () => table.flush() };
  const pieceStore = new PieceStore(store, piece);
  let counts: TransformCounts;
  try {
    counts = await transformRecords(
      {
        store: pieceStore,
        manifest: { objects: [{ key: piece.key, bytes: piece.end - piece.start, page: 0, context: piece.context }] },
        stream: pieceStream(stream, piece),
        // The share of rejects is the whole item's, judged after the merge.
        options: { ...options, max_rejected_ratio: 1 },
        message,
        lastOfKey: undefined,
      },
      pipeline,
      outputs,
    );
  } catch (error) {
    table.abort();
    await quarantine.close().catch(() => undefined);
    throw error;
  }
  await quarantine.close();
  const written = await table.close();
  counts.rows = written.rows;
  if (written.rows >= PIECE_ROWS)
    throw new Error(`${piece.key}: piece ${piece.index} gave ${written.rows} rows, more than a piece may number`);
  return {
    index: piece.index,
    key: piece.key,
    counts,
    lines: pieceStore.lines,
    table: written,
    ...(quarantine.count > 0 ? { rejectsKey: quarantine.key } : {}),
  };
}

/** The stream as one piece reads it: a range is plain text, and only an object's last range has its footer. */
function pieceStream(stream: StreamDefinition, piece: RawPiece): StreamDefinition {
  // An empty piece is fine: whether the item is empty is judged over all its pieces.
  const expect_records = stream.expect_records === 'always' ? 'allow_empty' : stream.expect_records;
  if (piece.whole) return { ...stream, expect_records };
  const format = { ...stream.format, compression: 'none' as const };
  if (format.type === 'csv' && !piece.last) delete format.footer_pattern;
  return { ...stream, format, expect_records };
}
