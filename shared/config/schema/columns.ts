import { z } from 'zod';
import { columnType, identifier } from './common';

export const columnSpec = z
  .union([
    columnType.describe('Declared type; the value is read from the record field of the same name.'),
    z.strictObject({
      type: columnType.describe('Declared type.'),
      from: z
        .string()
        .min(1)
        .optional()
        .describe('Dotted path inside the record when it differs from the column name. Example: metrics.spend'),
    }),
  ])
  .describe('A column type, or { type, from } to read it from a nested field.');

export const columns = z
  .record(identifier, columnSpec)
  .describe('Columns to keep with their types, in table order. Example: { id: bigint, spend: "decimal(18,6)" }');

export type ColumnSpec = z.infer<typeof columnSpec>;
