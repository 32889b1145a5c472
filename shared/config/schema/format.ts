import { z } from 'zod';

const MIB = 1024 * 1024;

/** Caps that keep a hostile or broken payload from exhausting memory or disk. */
const limits = {
  compression: z
    .enum(['auto', 'none', 'gzip', 'zip'])
    .default('auto')
    .describe(
      'Compression of the raw object. auto: gzip and zip are recognised by their first bytes; none: plain text.',
    ),
  encoding_errors: z
    .enum(['fail', 'replace'])
    .default('fail')
    .describe(
      'Bytes that are not valid UTF-8. fail: the item fails with the object and byte area; replace: each bad sequence becomes U+FFFD.',
    ),
  max_record_bytes: z
    .number()
    .int()
    .positive()
    .default(16 * MIB)
    .describe(
      'Largest single record (JSON line, CSV row, JSON array element, XML record element) in bytes; a larger one fails the item. Default 16 MiB.',
    ),
  max_depth: z
    .number()
    .int()
    .positive()
    .default(64)
    .describe(
      'Deepest nesting of objects/arrays (JSON document) or elements (XML) accepted inside one record. JSON lines are parsed whole; a value too deep to write is quarantined.',
    ),
  max_expanded_bytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 * MIB)
    .describe(
      'Largest decompressed size of one gzip object or of all entries of one zip (zip-bomb guard). Default 8 GiB.',
    ),
  max_ratio: z
    .number()
    .positive()
    .default(500)
    .describe('Largest decompressed/compressed size ratio accepted for gzip and zip entries (zip-bomb guard).'),
  zip_entries: z
    .string()
    .default('.*')
    .describe(
      'Regular expression; only zip entries whose name matches are decoded, in archive order. Example: "\\\\.csv$"',
    ),
};

/** Decoder options for raw payloads (owned by the transformer). */
export const format = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z
        .literal('json')
        .describe(
          'A JSON document (of any size, streamed); records are selected with the stream `records` path, e.g. $.data.',
        ),
      ...limits,
    }),
    z.strictObject({
      type: z.literal('jsonl').describe('One JSON record per line (blank lines are skipped).'),
      ...limits,
    }),
    z.strictObject({
      type: z
        .literal('csv')
        .describe('Delimited text (CSV/TSV) with a header line; quoted fields may hold delimiters and newlines.'),
      delimiter: z.string().min(1).max(1).default(',').describe('Field delimiter; use "\\t" for TSV.'),
      quote: z.string().length(1).default('"').describe('Quote character; a quote inside a quoted field is doubled.'),
      skip_lines: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe('Lines to drop before the header (report titles, notes).'),
      footer_pattern: z
        .string()
        .optional()
        .describe('Rows at the end whose text matches this regular expression are dropped (e.g. "^Total").'),
      ...limits,
    }),
    z.strictObject({
      type: z
        .literal('xml')
        .describe(
          'An XML document (of any size, streamed); each `record_element` element becomes one record. DTDs are refused.',
        ),
      record_element: z.string().min(1).describe('Local name of the element that holds one record. Example: row'),
      attribute_prefix: z
        .string()
        .default('')
        .describe('Prefix for fields made from attributes (child elements become fields by name). Example: "@"'),
      ...limits,
    }),
  ])
  .prefault({ type: 'json' })
  .describe('How the response body is decoded into records.');

export type FormatOptions = z.infer<typeof format>;
