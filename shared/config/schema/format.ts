import { z } from 'zod';

/** Decoder options for raw payloads (owned by the transformer). */
export const format = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('json').describe('A JSON document; records are selected with `records`.') }),
    z.strictObject({ type: z.literal('jsonl').describe('One JSON record per line.') }),
    z.strictObject({
      type: z.literal('csv').describe('Delimited text with a header line.'),
      delimiter: z.string().min(1).max(1).default(',').describe('Field delimiter; use "\\t" for TSV.'),
      skip_lines: z.number().int().min(0).default(0).describe('Lines to drop before the header.'),
      footer_pattern: z.string().optional().describe('Lines matching this regular expression at the end are dropped (e.g. "^Total").'),
    }),
  ])
  .default({ type: 'json' })
  .describe('How the response body is decoded into records.');
