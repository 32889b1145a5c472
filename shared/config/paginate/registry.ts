import { z } from 'zod';
import { cursorPaging } from './cursorPaging';
import { linkHeaderPaging } from './linkHeaderPaging';
import { nextUrlPaging } from './nextUrlPaging';
import { noPaging } from './noPaging';
import { offsetPaging } from './offsetPaging';
import { pageNumberPaging } from './pageNumberPaging';
import type { PageParamsIn, PageReads, PageVariable, PageWalker } from './types';

/** Every paging style. A new style is one file exporting a {@link PaginatorStyle}, listed here. */
const STYLES = [noPaging, cursorPaging, nextUrlPaging, linkHeaderPaging, offsetPaging, pageNumberPaging] as const;

/** The tuple of the styles' schemas (a mapped type over a type parameter keeps the tuple). */
type SchemasOf<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: T[K] extends { schema: infer S } ? S : never;
};
type Schemas = SchemasOf<typeof STYLES>;

export const pagination = z
  .discriminatedUnion('type', STYLES.map((style) => style.schema) as unknown as Schemas)
  .describe(
    'How to walk pages. Paging stops on an explicit signal (no cursor, no next link, totals reached, an empty page, or a short page with stop_on_short_page), never on a short page alone.',
  );

export type PaginationConfig = z.infer<typeof pagination>;

/** A style seen through the block it was parsed from (the discriminator guarantees they match). */
interface StyleOf {
  reads(config: PaginationConfig): PageReads;
  endsOnEmptyPage: boolean;
  variables: readonly PageVariable[];
  shortPage?(config: PaginationConfig): number | undefined;
  stopHint?: string;
  create(config: PaginationConfig): PageWalker;
}

function styleOf(config: PaginationConfig): StyleOf {
  const style = STYLES.find((candidate) => candidate.schema.shape.type.value === config.type);
  // The union is built from STYLES, so every parsed block has its style; the cast only joins the
  // per-style config types, which TypeScript cannot relate to the union by its discriminator.
  return style as unknown as StyleOf;
}

/** The facts about one `paginate` block that the extractor and `dif validate` both rely on. */
export interface Paginator extends PageWalker {
  /** What the walk reads from each page (the parsed body, a record count, or nothing). */
  readonly reads: PageReads;
  readonly endsOnEmptyPage: boolean;
  /** A page with fewer records than this is the last one (stop_on_short_page). */
  readonly shortPage: number | undefined;
  /** What to add so paging can stop without counting records, for error messages. */
  readonly stopHint: string;
}

/**
 * What a `paginate` block reads from a page: `body` (the parsed JSON: a cursor, next link or
 * total in it), `count` (only the records; an empty or short page is its only end), `nothing`.
 * `dif validate` and the extractor both decide with it.
 *
 * @example
 * paginateReads({ type: 'offset', total_header: 'X-Total-Count', … }); // 'nothing'
 */
export function paginateReads(config: PaginationConfig): PageReads {
  return styleOf(config).reads(config);
}

/** The `{{ page.* }}` variables a `paginate` block provides to its request. */
export function pageVariables(config: PaginationConfig): readonly PageVariable[] {
  return styleOf(config).variables;
}

/** What to add to the block so paging can stop without counting records. */
export function paginateStopHint(config: PaginationConfig): string {
  return styleOf(config).stopHint ?? 'use a paginate type whose pages say when they end';
}

/** Where the block sends its values (`in`), for styles that send any. */
export function pageParamsIn(config: PaginationConfig): PageParamsIn | undefined {
  return 'in' in config ? config.in : undefined;
}

/**
 * A fresh walker for one request walk, with the block's facts.
 *
 * @example
 * const pages = createPaginator({ type: 'cursor', cursor: '$.paging.cursors.after', param: 'after', in: 'query' });
 * pages.first(); // { page: { cursor: '' } }
 */
export function createPaginator(config: PaginationConfig): Paginator {
  const style = styleOf(config);
  const walker = style.create(config);
  return {
    reads: style.reads(config),
    endsOnEmptyPage: style.endsOnEmptyPage,
    shortPage: style.shortPage?.(config),
    stopHint: paginateStopHint(config),
    first: () => walker.first(),
    next: (facts) => walker.next(facts),
  };
}
