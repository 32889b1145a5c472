import { z } from 'zod';
import { readsBody } from '../readValue';
import { valueReader } from '../schema/valueReader';
import { pageNumberOf } from './pageNumberOf';
import { paramsIn, placeParams, stopOnShortPage } from './placeParams';
import type { PaginatorStyle } from './types';

const schema = z
  .strictObject({
    type: z.literal('page_number').describe('page=1,2,3… paging.'),
    param: z.string().default('page').describe('Name of the page number (query parameter, body field or header).'),
    start: z.number().int().default(1).describe('Number of the first page.'),
    size_param: z.string().optional().describe('Name of the page size (query parameter, body field or header).'),
    size: z.number().int().positive().optional().describe('Page size to request.'),
    in: paramsIn,
    total_pages: valueReader.optional().describe('Where the total page count is. Example: $.page_info.total_page'),
    total_records: valueReader.optional().describe('Where the total record count is. Example: $.total_rows'),
    stop_on_short_page: stopOnShortPage,
  })
  .refine((config) => !config.stop_on_short_page || config.size !== undefined, {
    message: 'stop_on_short_page needs size: the page size a full page holds',
    path: ['stop_on_short_page'],
  });

/**
 * `paginate: { type: page_number }`: TikTok's `page`/`page_size` with `page_info.total_page`.
 * `{{ page.number }}` is the page number sent.
 *
 * @example
 * pageNumberPaging.create({ type: 'page_number', param: 'page', start: 1, size_param: 'page_size', size: 1000, in: 'query', total_pages: '$.data.page_info.total_page', stop_on_short_page: false });
 */
export const pageNumberPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: (config) =>
    readsBody(config.total_pages) || readsBody(config.total_records)
      ? 'body'
      : (config.total_pages ?? config.total_records) !== undefined && !config.stop_on_short_page
        ? 'nothing'
        : 'count',
  endsOnEmptyPage: true,
  variables: ['number'],
  shortPage: (config) => (config.stop_on_short_page ? config.size : undefined),
  stopHint: 'add total_pages or total_records',
  create(config) {
    let page = config.start;
    let recordsSoFar = 0;
    const step = () => ({
      ...placeParams(config.in, {
        [config.param]: page,
        ...(config.size_param && config.size ? { [config.size_param]: config.size } : {}),
      }),
      page: { number: page },
    });
    return {
      first: step,
      next(facts) {
        recordsSoFar += facts.records ?? 0;
        const totalPages = pageNumberOf(facts, config.total_pages);
        const totalRecords = pageNumberOf(facts, config.total_records);
        if (totalPages !== undefined && page - config.start + 1 >= totalPages) return undefined;
        if (totalRecords !== undefined && recordsSoFar >= totalRecords) return undefined;
        page += 1;
        return step();
      },
    };
  },
};
