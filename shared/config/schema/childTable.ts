import { z } from 'zod';
import { identifier } from './common';
import { columns } from './columns';
import { load } from './load';
import { transform } from './transform';

/**
 * A table written from the same records as its stream: one row per element of an array field
 * of each record (`actions[]` → one row per action, next to the parent's key). The transformer
 * writes it in the same pass and the loader loads it with the stream's item, so the API is
 * called once for both tables.
 */
export const childTable = z
  .strictObject({
    explode: z
      .string()
      .min(1)
      .describe(
        'Top-level array field of the record: one row per element. Columns read the element at that field name (from: actions.action_type) and any parent field (e.g. the parent key). A record with an empty or missing array gives no row.',
      ),
    columns: columns,
    primary_key: z
      .array(identifier)
      .default([])
      .describe(
        'Columns that identify a row of the child table; required by merge loads. Usually the parent key plus a field of the element.',
      ),
    transform: transform
      .pick({ add: true, filter: true, varchar_overflow: true, timezone: true, null_values: true })
      .optional()
      .describe(
        "Row options of the child table (add, filter, varchar_overflow, timezone, null_values). Renames, dedupe and drift policies are the stream's, applied before the records are exploded.",
      ),
    load: load,
  })
  .describe(
    "A child table exploded from an array field of the stream's records, written and loaded with the stream: no second API call.",
  );

export type ChildTable = z.infer<typeof childTable>;
