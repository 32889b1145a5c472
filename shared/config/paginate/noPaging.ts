import { z } from 'zod';
import type { PaginatorStyle } from './types';

const schema = z.strictObject({
  type: z.literal('none').describe('A single request returns everything.'),
  read_whole: z
    .boolean()
    .optional()
    .describe(
      'Parse the page whole (up to limits.max_page_bytes) so that retry.error_when sees all of it, not only its first 64 KiB: for APIs that end a 200 body with an error once the data has started (Google Ads searchStream appends {"error": …} to its array). Needs format json.',
    ),
});

/**
 * `paginate: { type: none }`: one request. With `read_whole` the page is parsed like a page whose
 * body paging reads, so an error element at its end fails (or retries) the item instead of being
 * stored as data.
 */
export const noPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: (config) => (config.read_whole ? 'body' : 'nothing'),
  endsOnEmptyPage: false,
  variables: [],
  create: () => ({ first: () => ({ page: {} }), next: () => undefined }),
};
