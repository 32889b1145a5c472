import type { z } from 'zod';
import type { pagination } from '../../../shared/config/schema/request';
import { RepeatedCursorError } from '../errors';
import { readPath } from '../readPath';
import { nextLink } from './linkHeader';
import type { PageFacts, PageStep, Paginator } from './types';

export type PaginationConfig = z.infer<typeof pagination>;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && value !== false;
}

function numberAt(facts: PageFacts, path: string | undefined, header?: string): number | undefined {
  const raw = header
    ? facts.headers[header.toLowerCase()]
    : path && facts.body !== undefined
      ? readPath(facts.body, path)
      : undefined;
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return raw === undefined || raw === null || !Number.isFinite(value) ? undefined : value;
}

/** Remembers cursors and URLs already followed: the same one twice is an error, not a loop. */
class SeenTokens {
  private readonly seen = new Set<string>();
  check(token: string, url: string): string {
    if (this.seen.has(token)) throw new RepeatedCursorError(url, token);
    this.seen.add(token);
    return token;
  }
}

/**
 * A paginator for one request walk: what to send next, judged by its own signal (a cursor,
 * a next link, a total). The rules every walk shares (an empty page, an uncountable page,
 * `limits.max_pages`) are applied around it by {@link nextPage}. A short page never ends paging.
 *
 * @example
 * const pages = createPaginator({ type: 'cursor', cursor: '$.paging.cursors.after', param: 'after' });
 */
export function createPaginator(config: PaginationConfig): Paginator {
  const seen = new SeenTokens();
  switch (config.type) {
    case 'none':
      return { needs: 'nothing', endsOnEmptyPage: false, first: () => ({}), next: () => undefined };
    case 'cursor':
      return {
        needs: 'body',
        endsOnEmptyPage: true,
        first: () => ({}),
        next(facts): PageStep | undefined {
          const cursor = readPath(facts.body, config.cursor);
          if (!present(cursor)) return undefined;
          if (config.until_missing && !present(readPath(facts.body, config.until_missing))) return undefined;
          return { query: { [config.param]: seen.check(String(cursor), facts.url) } };
        },
      };
    case 'next_url':
      return {
        needs: 'body',
        // Some APIs hand out empty pages with a next link (filtered results): only the link ends it.
        endsOnEmptyPage: false,
        first: () => ({}),
        next(facts): PageStep | undefined {
          const next = readPath(facts.body, config.next);
          if (!present(next)) return undefined;
          return { url: seen.check(new URL(String(next), facts.url).toString(), facts.url) };
        },
      };
    case 'link_header':
      return {
        needs: 'nothing',
        endsOnEmptyPage: false,
        first: () => ({}),
        next(facts): PageStep | undefined {
          const next = nextLink(facts.headers.link, facts.url);
          return next === undefined ? undefined : { url: seen.check(next, facts.url) };
        },
      };
    case 'offset': {
      let offset = 0;
      return {
        needs: config.total ? 'body' : config.total_header ? 'nothing' : 'count',
        endsOnEmptyPage: true,
        first: () => ({ [config.offset_param]: '0', [config.limit_param]: String(config.limit) }),
        next(facts): PageStep | undefined {
          offset += facts.records ?? config.limit;
          const total = numberAt(facts, config.total, config.total_header);
          if (total !== undefined && offset >= total) return undefined;
          return { query: { [config.offset_param]: String(offset), [config.limit_param]: String(config.limit) } };
        },
      };
    }
    case 'page_number': {
      let page = config.start;
      let recordsSoFar = 0;
      const size = (): Record<string, string> =>
        config.size_param && config.size ? { [config.size_param]: String(config.size) } : {};
      return {
        needs: config.total_pages || config.total_records ? 'body' : 'count',
        endsOnEmptyPage: true,
        first: () => ({ [config.param]: String(page), ...size() }),
        next(facts): PageStep | undefined {
          recordsSoFar += facts.records ?? 0;
          const totalPages = numberAt(facts, config.total_pages);
          const totalRecords = numberAt(facts, config.total_records);
          if (totalPages !== undefined && page - config.start + 1 >= totalPages) return undefined;
          if (totalRecords !== undefined && recordsSoFar >= totalRecords) return undefined;
          page += 1;
          return { query: { [config.param]: String(page), ...size() } };
        },
      };
    }
  }
}
