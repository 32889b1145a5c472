import { z } from 'zod';
import { readsBody, readValue } from '../readValue';
import { valueReader } from '../schema/valueReader';
import { present } from './pageNumberOf';
import type { PaginatorStyle } from './types';

const schema = z.strictObject({
  type: z.literal('next_url').describe('The response holds the URL of the next page (absolute or relative).'),
  next: valueReader.describe('Where the next URL is: a body path, or { header, pattern }. Example: $.next'),
});

/** `paginate: { type: next_url }`: Snapchat's `paging.next_link`, Google-style `next_page_url`. */
export const nextUrlPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: (config) => (readsBody(config.next) ? 'body' : 'nothing'),
  // Some APIs hand out empty pages with a next link (filtered results): only the link ends it.
  endsOnEmptyPage: false,
  variables: [],
  create: (config) => ({
    first: () => ({ page: {} }),
    next(facts) {
      const next = readValue(config.next, facts);
      return present(next) ? { url: new URL(String(next), facts.url).toString(), page: {} } : undefined;
    },
  }),
};
