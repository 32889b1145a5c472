import { z } from 'zod';
import { columnType, identifier } from './common';

export const columnSpec = z.union([
  columnType,
  z.strictObject({
    type: columnType.describe('Declared type.'),
    from: z.string().optional().describe('Dotted path inside the record when it differs from the column name. Example: metrics.spend'),
  }),
]);

export const columns = z.record(identifier, columnSpec).describe('Columns to keep with their types. Example: { id: bigint, spend: "decimal(18,6)" }');
