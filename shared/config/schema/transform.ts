import { z } from 'zod';
import { identifier } from './common';
import { nullValues } from './columns';

const MIB = 1024 * 1024;

/** Values the transformer can add to every record (run metadata). */
export const addedField = z
  .enum(['client', 'source', 'stream', 'run_id', 'item_id', 'partition', 'extracted_at'])
  .describe('Run metadata: extracted_at is a timestamptz, the others varchar(256).');

export const filterCondition = z
  .strictObject({
    column: identifier.describe('Declared (or added) column the condition reads, after casting.'),
    op: z
      .enum(['eq', 'ne', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'is_null', 'not_null'])
      .describe('Comparison; gt/gte/lt/lte compare numbers numerically and other values as text.'),
    value: z
      .union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number(), z.boolean()]))])
      .optional()
      .describe('Value to compare with (a list for in/not_in).'),
  })
  .describe('Keeps a record only when the condition holds. Example: { column: status, op: ne, value: DELETED }');

/** Record pipeline options (owned by the transformer). */
export const transform = z
  .strictObject({
    rename: z
      .record(z.string(), identifier)
      .default({})
      .describe('Renames top-level record fields before columns are selected. Example: { "Campaign ID": campaign_id }'),
    add: z
      .record(identifier, addedField)
      .default({})
      .describe(
        'Columns filled from run metadata, appended after the declared columns. Example: { _extracted_at: extracted_at }',
      ),
    filter: z
      .array(filterCondition)
      .default([])
      .describe('Conditions a record must all meet to be kept; dropped records are counted, not quarantined.'),
    explode: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Top-level array field to explode: one row per element, the element readable at that field name (from: actions.action_type) next to the parent fields (e.g. the parent key). Makes a child table such as actions[] → one row per action. A record with an empty or missing array gives no row.',
      ),
    dedupe: z
      .boolean()
      .default(false)
      .describe(
        'Keep only the last record of each primary key within the item (needs primary_key; reads the raw objects twice).',
      ),
    dedupe_max_keys: z
      .number()
      .int()
      .min(1)
      .default(5_000_000)
      .describe(
        'Most distinct primary keys one item may hold for dedupe (each costs ~150 bytes of heap for a two-column key, measured on Node 20, while the item is transformed); an item with more fails with what to do.',
      ),
    new_field: z
      .enum(['ignore', 'evolve', 'fail'])
      .default('ignore')
      .describe(
        'A top-level field that no column reads. ignore: drop it; evolve: add a column for it (json for objects/arrays, else text); fail: fail the item.',
      ),
    missing_field: z
      .enum(['null', 'fail'])
      .default('null')
      .describe('A declared column whose field is absent from a record. null: load NULL; fail: fail the item.'),
    varchar_overflow: z
      .enum(['reject', 'truncate'])
      .default('reject')
      .describe(
        'A value longer than varchar(n) bytes. reject: quarantine the record; truncate: cut it to n bytes on a character boundary.',
      ),
    timezone: z
      .string()
      .default('UTC')
      .describe(
        'IANA zone of timestamps that carry no offset; may be a template such as "{{ client.timezone }}" (an account\'s time zone). Example: America/New_York',
      ),
    null_values: nullValues
      .default([])
      .describe(
        'Texts read as NULL in every column of the table (a column\'s own null_values replaces this list). Example: ["--", "N/A"]',
      ),
    max_rejected_ratio: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Fail the item when more than this share of its records is rejected (quarantined).'),
    max_rejected_rows: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Fail the item when more than this many records are rejected, whatever the ratio.'),
    part_bytes: z
      .number()
      .int()
      .min(1024)
      .default(128 * MIB)
      .describe(
        'Uncompressed CSV bytes per clean part before a new part starts (gzip makes parts ~5-10x smaller). Default 128 MiB.',
      ),
    split_bytes: z
      .number()
      .int()
      .min(0)
      .default(256 * MIB)
      .describe(
        'A plain JSON-lines or CSV raw object larger than this is transformed as line-aligned byte ranges in parallel (worker threads locally), still loaded as one batch; 0 never splits. Streams with dedupe, new_field: evolve or child tables are never split. Default 256 MiB.',
      ),
    gzip_level: z
      .number()
      .int()
      .min(1)
      .max(9)
      .default(1)
      .describe('gzip level of clean parts: 1 is fastest, 9 smallest.'),
  })
  .describe('How records are cleaned before they are typed and written.');

export type TransformOptions = z.infer<typeof transform>;
