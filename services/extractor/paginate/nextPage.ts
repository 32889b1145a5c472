import type { Paginator } from '../../../shared/config/paginate/registry';
import type { PageFacts, PageStep } from '../../../shared/config/paginate/types';
import { RepeatedCursorError, StreamConfigError, TooManyPagesError } from '../errors';

/** Where a walk stands, for the rules that end it. */
export interface WalkProgress {
  /** Pages read so far, the one in `facts` included. */
  pages: number;
  /** `limits.max_pages`. */
  maxPages: number;
  /** Where the walk is configured, for error messages. */
  where: string;
  /** Every step already sent in this walk (a step sent twice would loop). */
  sent: Set<string>;
}

/** A step as sent: its patch and page values; two equal keys are the same request. */
function stepKey(step: PageStep): string {
  return JSON.stringify([step.url, step.query, step.headers, step.body, step.page]);
}

/**
 * The next request of a walk, or undefined when paging ended. Every stop rule lives here:
 * the paginator's own signal (no cursor, no next link, a total reached); an empty page for the
 * paginators that end on one; a page shorter than the page size with `stop_on_short_page`; a
 * page whose records could not be counted where only a count can end paging (an error, not an
 * endless loop); the same request twice (a cursor or next link handed out again: an error); and
 * `limits.max_pages`, past which the item fails.
 *
 * @example
 * const step = nextPage(paginator, facts, { pages: 3, maxPages: 10_000, where: 'sources/feed.yml streams.rows', sent });
 */
export function nextPage(paginator: Paginator, facts: PageFacts, progress: WalkProgress): PageStep | undefined {
  if (paginator.endsOnEmptyPage && facts.records === 0) return undefined;
  if (paginator.reads === 'count' && facts.records === undefined)
    throw new StreamConfigError(
      progress.where,
      `the records on page ${progress.pages} (${facts.url}) could not be counted (a compressed page?), and with this paginate block only an empty${paginator.shortPage !== undefined ? ' or short' : ''} page ends paging; ${paginator.stopHint} so paging can stop`,
    );
  if (paginator.shortPage !== undefined && facts.records !== undefined && facts.records < paginator.shortPage)
    return undefined;
  const step = paginator.next(facts);
  if (!step) return undefined;
  const key = stepKey(step);
  if (progress.sent.has(key))
    throw new RepeatedCursorError(facts.url, step.url ?? step.page.cursor ?? JSON.stringify(step.page));
  progress.sent.add(key);
  if (progress.pages >= progress.maxPages) throw new TooManyPagesError(facts.url, progress.maxPages, progress.where);
  return step;
}
