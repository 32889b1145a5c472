import { z } from 'zod';
import type { PageParamsIn, PageStep } from './types';

/** The `in` key of the styles that send values (cursor, offset, page number). */
export const paramsIn = z
  .enum(['query', 'body', 'header', 'template'])
  .default('query')
  .describe(
    'Where the paging values go: query parameters (default); body: fields of the JSON or form body, by dotted name (e.g. offset, paging.page_token); header: request headers; template: only where the request says {{ page.* }}.',
  );

/** `stop_on_short_page`, for the styles that know their page size. */
export const stopOnShortPage = z
  .boolean()
  .default(false)
  .describe(
    'Also stop at a page with fewer records than the page size. Only for APIs that always fill a page but the last one (some return short pages mid-way).',
  );

/**
 * The patch that puts `values` where `where` says. Query and header values are sent as text;
 * body fields keep numbers as numbers (a JSON body's `"offset": 100`).
 *
 * @example
 * placeParams('body', { offset: 100, limit: 100 }); // { body: { offset: 100, limit: 100 } }
 */
export function placeParams(
  where: PageParamsIn,
  values: Record<string, string | number | undefined>,
): Omit<PageStep, 'page' | 'url'> {
  const given = Object.entries(values).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  if (given.length === 0 || where === 'template') return {};
  if (where === 'body') return { body: Object.fromEntries(given) };
  const text = Object.fromEntries(given.map(([name, value]) => [name, String(value)]));
  return where === 'header' ? { headers: text } : { query: text };
}
