import { z } from 'zod';
import { workItem } from './workItem';

/** Sent by the extractor to the transform queue when every raw page of an item is stored. */
export const rawReady = workItem.extend({
  kind: z.literal('raw-ready'),
  taskToken: z.string().min(1),
  raw: z.strictObject({
    /** JSON list of the raw objects (key, bytes, contentType, page) in order. */
    manifestKey: z.string(),
    objects: z.number().int().min(0),
    bytes: z.number().int().min(0),
    pages: z.number().int().min(0),
  }),
  /** Incremental cursor to store once the load commits. */
  cursor: z.string().optional(),
  extractedAt: z.string(),
});
export type RawReady = z.infer<typeof rawReady>;

/** One entry of the raw manifest written next to the raw objects. */
export const rawManifestEntry = z.strictObject({
  key: z.string(),
  bytes: z.number().int().min(0),
  contentType: z.string().optional(),
  page: z.number().int().min(0),
  /** Values a dependent call carries into its records (parent fields). */
  context: z.record(z.string(), z.unknown()).optional(),
});
export const rawManifest = z.strictObject({ objects: z.array(rawManifestEntry) });
export type RawManifest = z.infer<typeof rawManifest>;
