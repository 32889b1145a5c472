import { z } from 'zod';
import { readsBody } from '../readValue';
import { valueReader } from '../schema/valueReader';
import { pageNumberOf } from './pageNumberOf';
import { paramsIn, placeParams, stopOnShortPage } from './placeParams';
import type { PaginatorStyle } from './types';

const schema = z.strictObject({
  type: z.literal('offset').describe('offset/limit paging.'),
  offset_param: z.string().default('offset').describe('Name of the offset (query parameter, body field or header).'),
  limit_param: z.string().default('limit').describe('Name of the page size (query parameter, body field or header).'),
  limit: z.number().int().positive().default(100).describe('Page size to request.'),
  in: paramsIn,
  total: valueReader
    .optional()
    .describe(
      'Where the total record count is: a body path or { header }. Without a total, paging stops at the first empty page. Example: $.rowCount',
    ),
  total_header: z
    .string()
    .optional()
    .describe('Response header holding the total record count (same as total: { header: … }). Example: X-Total-Count'),
  stop_on_short_page: stopOnShortPage,
});

/**
 * `paginate: { type: offset }`: the offset advances by the records read. GA4's runReport sends
 * `offset`/`limit` in its JSON body (`in: body`) and reports `rowCount`. `{{ page.offset }}` is
 * the offset sent.
 *
 * @example
 * offsetPaging.create({ type: 'offset', in: 'body', offset_param: 'offset', limit_param: 'limit', limit: 1000, total: '$.rowCount', stop_on_short_page: false });
 */
export const offsetPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: (config) =>
    readsBody(config.total)
      ? 'body'
      : (config.total ?? config.total_header) !== undefined && !config.stop_on_short_page
        ? 'nothing'
        : 'count',
  endsOnEmptyPage: true,
  variables: ['offset'],
  shortPage: (config) => (config.stop_on_short_page ? config.limit : undefined),
  stopHint: 'add total or total_header',
  create(config) {
    let offset = 0;
    const step = () => ({
      ...placeParams(config.in, { [config.offset_param]: offset, [config.limit_param]: config.limit }),
      page: { offset },
    });
    return {
      first: step,
      next(facts) {
        offset += facts.records ?? config.limit;
        const total = pageNumberOf(facts, config.total ?? (config.total_header && { header: config.total_header }));
        return total !== undefined && offset >= total ? undefined : step();
      },
    };
  },
};
