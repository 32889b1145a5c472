import type { IncomingHttpHeaders } from 'node:http';

/** What a paginator learns from one page. */
export interface PageFacts {
  /** The parsed JSON body, when the paginator asked for it. */
  body?: unknown;
  headers: IncomingHttpHeaders;
  /** Records on the page, when they could be counted (JSON records path, CSV/JSON lines, XML record elements). */
  records?: number;
  url: string;
}

/** How the next request differs from the first: extra query parameters, or a whole URL. */
export type PageStep = { query: Record<string, string> } | { url: string };

/**
 * Walks the pages of one request. `needs` says what it reads from a page: the parsed `body`,
 * only the record `count`, or `nothing` beyond headers (the body can stream untouched).
 */
export interface Paginator {
  readonly needs: 'body' | 'count' | 'nothing';
  /** A page with no records ends the walk (cursor, offset and page-number paging). */
  readonly endsOnEmptyPage: boolean;
  /** Query parameters of the first request (e.g. offset=0&limit=100). */
  first(): Record<string, string>;
  /** The next request, or undefined when the last page was read. */
  next(facts: PageFacts): PageStep | undefined;
}
