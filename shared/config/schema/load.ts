import { z } from 'zod';
import { identifier } from './common';

/** Warehouse load options (owned by the loader). */
export const load = z
  .strictObject({
    table: identifier.describe('Target table in the client schema.'),
    mode: z
      .enum(['append', 'merge', 'replace_partition'])
      .default('append')
      .describe(
        'append: insert every row; merge: replace rows with the same primary key (of several rows of one key in an item, the last in source order wins, on every warehouse); replace_partition: delete the rows whose partition_column lies in the range of the loaded data (e.g. the dates re-extracted by a lookback window), then insert.',
      ),
    partition_column: identifier
      .optional()
      .describe('Column that holds the partition (usually a date); required by replace_partition. Example: date_start'),
    dist_key: identifier
      .optional()
      .describe('Redshift DISTKEY column of the table (ignored by PostgreSQL). Example: campaign_id'),
    sort_key: z
      .array(identifier)
      .optional()
      .describe('Redshift SORTKEY columns of the table (ignored by PostgreSQL). Example: [date_start]'),
  })
  .refine((value) => value.mode !== 'replace_partition' || value.partition_column !== undefined, {
    message: 'replace_partition loads need a partition_column (the column whose range is replaced)',
    path: ['partition_column'],
  })
  .describe('Where and how the stream lands in the warehouse.');

export type LoadOptions = z.infer<typeof load>;
