import { z } from 'zod';
import { identifier } from './common';

/**
 * A dependent call: the stream is fetched once per record of another stream of the same source
 * (e.g. campaigns → per-campaign stats). Templates read the parent record as `{{ parent.FIELD }}`.
 */
export const parent = z
  .strictObject({
    stream: identifier.describe('The stream whose records drive this one. Example: campaigns'),
    fields: z
      .record(
        identifier,
        z.string().regex(/^[\w-]+(\.[\w-]+)*$/, 'a dotted field of the parent record, e.g. id or account.id'),
      )
      .default({})
      .describe(
        'Parent fields copied into every child record: { child_column: parent_field }. Example: { campaign_id: id }',
      ),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Parent records fetched at once.'),
  })
  .describe(
    'Fetch this stream once per record of another stream. Example: { stream: campaigns, fields: { campaign_id: id } }',
  );
