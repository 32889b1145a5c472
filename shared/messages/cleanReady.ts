import { z } from 'zod';
import { workItem } from './workItem';

/** Sent by the transformer to the load queue when the clean CSV parts and manifest are written. */
export const cleanReady = workItem.extend({
  kind: z.literal('clean-ready'),
  taskToken: z.string().min(1),
  clean: z.strictObject({
    /** Redshift-format COPY manifest listing the gzipped CSV parts. */
    manifestKey: z.string(),
    parts: z.number().int().min(0),
    rows: z.number().int().min(0),
    bytes: z.number().int().min(0),
  }),
  recordsIn: z.number().int().min(0),
  rejected: z.number().int().min(0),
  columns: z.array(z.strictObject({ name: z.string(), type: z.string() })),
  /** Load ledger key: itemId + hash of the clean content. */
  batchId: z.string().min(1),
  cursor: z.string().optional(),
});
export type CleanReady = z.infer<typeof cleanReady>;
