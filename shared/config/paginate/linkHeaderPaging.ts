import { z } from 'zod';
import { nextLink } from './linkHeader';
import type { PaginatorStyle } from './types';

const schema = z.strictObject({ type: z.literal('link_header').describe('RFC 5988 Link header with rel="next".') });

/** `paginate: { type: link_header }`: the `rel="next"` target of the Link header. */
export const linkHeaderPaging: PaginatorStyle<typeof schema> = {
  schema,
  reads: () => 'nothing',
  endsOnEmptyPage: false,
  variables: [],
  create: () => ({
    first: () => ({ page: {} }),
    next(facts) {
      const next = nextLink(facts.headers.link, facts.url);
      return next === undefined ? undefined : { url: next, page: {} };
    },
  }),
};
