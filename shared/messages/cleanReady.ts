import { z } from 'zod';
import { workItem } from './workItem';

/**
 * The last CSV column of a table loaded by merge (clean CSV format 2): each row's 1-based position
 * in source order, so every warehouse keeps the last row of a duplicated key, whatever order its
 * COPY stores the rows in (docs/pipeline-contracts.md).
 */
export const SOURCE_ORDER_COLUMN = 'dif_source_row';

const cleanParts = z.strictObject({
  /** Redshift-format COPY manifest listing the gzipped CSV parts. */
  manifestKey: z.string(),
  parts: z.number().int().min(0),
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  /**
   * Present when the parts end each row with {@link SOURCE_ORDER_COLUMN} (format 2; written for
   * tables loaded by merge). Absent: format 1, the declared columns only.
   */
  sourceOrder: z.literal(SOURCE_ORDER_COLUMN).optional(),
});

const column = z.strictObject({ name: z.string(), type: z.string() });

/** The clean output of one child table of the stream (`children.{name}` in the source). */
export const cleanChild = z.strictObject({
  name: z.string(),
  clean: cleanParts,
  columns: z.array(column),
  /** Its own ledger key, so each table of the item is loaded exactly once. */
  batchId: z.string().min(1),
});
export type CleanChild = z.infer<typeof cleanChild>;

/** Sent by the transformer to the load queue when the clean CSV parts and manifest are written. */
export const cleanReady = workItem.extend({
  kind: z.literal('clean-ready'),
  taskToken: z.string().min(1),
  clean: cleanParts,
  recordsIn: z.number().int().min(0),
  rejected: z.number().int().min(0),
  columns: z.array(column),
  /** Load ledger key: itemId + hash of the clean content. */
  batchId: z.string().min(1),
  cursor: z.string().optional(),
  /**
   * When the extractor finished reading the API (RawReady.extractedAt, ISO 8601): the loader keeps
   * it in the ledger and skips a batch older than the last one loaded for the item as
   * `superseded`. Optional so messages in flight from before it existed are still accepted.
   */
  extractedAt: z.iso.datetime({ offset: true }).optional(),
  /** Child tables written from the same records; loaded after the stream's own table. */
  children: z.array(cleanChild).optional(),
});
export type CleanReady = z.infer<typeof cleanReady>;
