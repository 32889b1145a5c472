import { StreamConfigError, TooManyPagesError } from '../errors';
import type { PageFacts, PageStep, Paginator } from './types';

/** Where a walk stands, for the rules that end it. */
export interface WalkProgress {
  /** Pages read so far, the one in `facts` included. */
  pages: number;
  /** `limits.max_pages`. */
  maxPages: number;
  /** Where the walk is configured, for error messages. */
  where: string;
}

/**
 * The next request of a walk, or undefined when paging ended. Every stop rule lives here:
 * the paginator's own signal (no cursor, no next link, a total reached); an empty page for the
 * paginators that end on one; a page whose records could not be counted where only a count can
 * end paging (an error, not an endless loop); and `limits.max_pages`, past which the item fails.
 *
 * @example
 * const step = nextPage(paginator, facts, { pages: 3, maxPages: 10_000, where: 'sources/feed.yml streams.rows' });
 */
export function nextPage(paginator: Paginator, facts: PageFacts, progress: WalkProgress): PageStep | undefined {
  if (paginator.endsOnEmptyPage && facts.records === 0) return undefined;
  if (paginator.needs === 'count' && facts.records === undefined)
    throw new StreamConfigError(
      progress.where,
      `the records on page ${progress.pages} (${facts.url}) could not be counted (a compressed page?), and with this paginate block only an empty page ends paging; add total_pages, total_records or total_header so paging can stop`,
    );
  const step = paginator.next(facts);
  if (step && progress.pages >= progress.maxPages)
    throw new TooManyPagesError(facts.url, progress.maxPages, progress.where);
  return step;
}
