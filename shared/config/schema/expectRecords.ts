import { z } from 'zod';

/**
 * What a stream promises about its records, so that "0 rows" is never a silent success.
 * A records path that leads to a string or number is always an error, whatever this says.
 */
export const expectRecords = z
  .enum(['always', 'allow_empty', 'allow_missing'])
  .default('allow_empty')
  .describe(
    'What an item with no records means. always: every item must hold at least one record, 0 fails the item (Transform.NoRecords). allow_empty (default): an empty list ([] at the records path, a CSV with only its header, a report with no download) loads as an `empty` item, counted and warned about in the run summary; a records path that is missing or null fails the item. allow_missing: a missing or null records path is an empty item too (APIs that leave out an empty list, such as protobuf-JSON ones). Example: expect_records: always',
  );

export type ExpectRecords = z.infer<typeof expectRecords>;
