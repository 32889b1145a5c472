import { z } from 'zod';
import { readsBody, readValue } from '../readValue';
import { valueReader } from '../schema/valueReader';
import { present } from './pageNumberOf';
import { paramsIn, placeParams } from './placeParams';
import type { PaginatorStyle } from './types';

const schema = z.strictObject({
  type: z
    .literal('cursor')
    .describe('The response carries a cursor (next token) that is sent back with the next request.'),
  cursor: valueReader.describe(
    'Where the next cursor is: a body path, or { header, pattern }. Example: $.paging.cursors.after',
  ),
  param: z
    .string()
    .describe('Name that carries the cursor on the next request: a query parameter, body field or header (see `in`).'),
  in: paramsIn,
  until_missing: valueReader
    .optional()
    .describe('Stop when this is absent or null (e.g. $.paging.next), even if a cursor is present.'),
});

/**
 * `paginate: { type: cursor }`: Meta's `paging.cursors.after`, TikTok's and Google's page tokens
 * (in the query or a JSON body), a cursor in a header. `{{ page.cursor }}` is the cursor sent
 * (empty on the first page).
 *
 * @example
 * cursorPaging.create({ type: 'cursor', cursor: '$.nextPageToken', param: 'pageToken', in: 'body' });
 */
export const cursorPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: (config) => (readsBody(config.cursor) || readsBody(config.until_missing) ? 'body' : 'nothing'),
  endsOnEmptyPage: true,
  variables: ['cursor'],
  create: (config) => ({
    first: () => ({ page: { cursor: '' } }),
    next(facts) {
      const cursor = readValue(config.cursor, facts);
      if (!present(cursor)) return undefined;
      if (config.until_missing && !present(readValue(config.until_missing, facts))) return undefined;
      return { ...placeParams(config.in, { [config.param]: String(cursor) }), page: { cursor: String(cursor) } };
    },
  }),
};
