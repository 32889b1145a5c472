import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';

/** What a paginator learns from one page. */
export interface PageFacts {
  /** The parsed JSON body, when the paginator asked for it. */
  body?: unknown;
  headers: IncomingHttpHeaders;
  /** Records on the page, when they could be counted (JSON records path, CSV/JSON lines, XML record elements). */
  records?: number;
  url: string;
}

/** The `{{ page.* }}` variables, as a style provides them. */
export interface PageVariables {
  /** The page number sent (page_number paging). */
  number?: number;
  /** Records before this page (offset paging). */
  offset?: number;
  /** The cursor sent; empty on the first page (cursor paging). */
  cursor?: string;
}

export type PageVariable = keyof PageVariables;

/** Where a style puts its values: query parameters, JSON/form body fields, headers, or only `{{ page.* }}` templates. */
export type PageParamsIn = 'query' | 'body' | 'header' | 'template';

/**
 * How one page's request differs from the configured one: a patch (a whole next URL, query
 * parameters, headers, body fields by dotted path) and the `{{ page.* }}` values the configured
 * request is rendered with first.
 */
export interface PageStep {
  url?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** JSON (or form) body fields by dotted path, e.g. `{ offset: 100 }` or `{ 'paging.token': 'x' }`. */
  body?: Record<string, string | number>;
  page: PageVariables;
}

/**
 * What a style reads from a page: the parsed `body`, only the record `count` (counting is its
 * only way to stop: an empty or short page), or `nothing` beyond headers (the body streams untouched).
 */
export type PageReads = 'body' | 'count' | 'nothing';

/** One walk's paging state: its first request and each next one. */
export interface PageWalker {
  first(): PageStep;
  /** The next request, or undefined when the paginator's own signal says the last page was read. */
  next(facts: PageFacts): PageStep | undefined;
}

/**
 * One paging style: its `paginate` block (a zod object with a literal `type`), what it reads
 * and provides, and its walker. The registry (registry.ts) lists every style; the extractor,
 * `dif validate` and `dif schema` all ask it.
 */
export interface PaginatorStyle<Schema extends z.ZodObject<{ type: z.ZodLiteral<string> }>> {
  schema: Schema;
  reads(config: z.infer<Schema>): PageReads;
  /** A page with no records ends the walk. */
  endsOnEmptyPage: boolean;
  /** The `{{ page.* }}` variables its walker sets. */
  variables: readonly PageVariable[];
  /** The page size below which a page is the last one, when the block asks for it (stop_on_short_page). */
  shortPage?(config: z.infer<Schema>): number | undefined;
  /** What to add so paging can stop without counting records, for error messages. */
  stopHint?: string;
  create(config: z.infer<Schema>): PageWalker;
}
