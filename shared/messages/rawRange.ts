import { z } from 'zod';
import { rawReady } from './rawReady';

/**
 * One piece of an item split for a parallel transform: a line-aligned byte range of a large raw
 * object, or a whole (smaller) raw object of the same item (docs/pipeline-contracts.md, "Large raw
 * objects as byte ranges").
 */
export const rawPiece = z.strictObject({
  /** Position in the item's source order (manifest order, then byte order), from 0. */
  index: z.number().int().min(0),
  key: z.string().min(1),
  /** Bytes `start` (inclusive) to `end` (exclusive) of the object. */
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  /** The whole object, decoded by the stream's format as is (it may be compressed). */
  whole: z.boolean(),
  /** A CSV range: the object's first bytes (skipped lines, header) to read before the range, as latin1. */
  header: z.string().optional(),
  /** The last range of its object: only it drops a CSV footer (`format.footer_pattern`). */
  last: z.boolean(),
  /** The raw manifest entry's parent context. */
  context: z.record(z.string(), z.unknown()).optional(),
});
export type RawPiece = z.infer<typeof rawPiece>;

/**
 * Sent by the transformer to its own queue, once per piece, when an item's raw object is over
 * `transform.split_bytes` on AWS: the RawReady it came from, with the piece and how many there are.
 * The piece that finishes last (a counter in run state) merges them and sends the one CleanReady.
 */
export const rawRange = rawReady.extend({
  kind: z.literal('raw-range'),
  piece: rawPiece,
  pieces: z.number().int().min(2),
});
export type RawRange = z.infer<typeof rawRange>;

/** What the transform queue carries: an item's RawReady, or one piece of a split item. */
export const transformMessage = z.discriminatedUnion('kind', [rawReady, rawRange]);
export type TransformMessage = z.infer<typeof transformMessage>;
