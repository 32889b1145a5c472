import type { ExpectRecords } from '../../shared/config/schema/expectRecords';
import { BadResponseError, StreamConfigError } from './errors';
import { checkErrorPredicates, type ErrorPredicate } from './errorPredicates';
import type { HttpClient } from './http/HttpClient';
import { bufferedBody, lineCount, meteredBody } from './http/pageBody';
import type { HttpRequest, OpenResponse } from './http/types';
import { createPaginator, type PaginationConfig } from './paginate/createPaginator';
import type { PageFacts } from './paginate/types';
import { recordsAt } from './readPath';
import type { RawWriter } from './RawWriter';
import { withQuery } from './request/buildRequest';

export interface PageWalk {
  http: HttpClient;
  /** The rendered first request; paging parameters are added to it. */
  request: HttpRequest;
  paginate: PaginationConfig;
  /** Record selector for JSON pages. */
  recordsPath: string;
  /** The stream's format type (json, jsonl, csv, xml…). */
  formatType: string;
  /** Lines before the first record of a CSV page (header and skipped lines). */
  headerLines?: number;
  errorWhen: ErrorPredicate[];
  /** Where pages go; omitted when the pages are read only for their records (a parent walk). */
  writer?: RawWriter;
  /** Parent fields recorded with every page in the manifest. */
  context?: Record<string, unknown>;
  /** Called with each JSON page's records once the page is stored. */
  onRecords?: (records: unknown[]) => void;
  /** Set when the walk's records are used here (a parent walk): a page without records is then an error. */
  expectRecords?: ExpectRecords;
  redact: (text: string) => string;
  /** Where the walk is configured, for error messages. */
  where: string;
}

/**
 * Requests every page of one request and stores each as it arrives. JSON pages are parsed
 * when paging, error predicates or record callbacks need them (a page is page-sized); other
 * bodies stream from the socket to the object store untouched.
 * Returns the number of pages read.
 */
export async function walkPages(walk: PageWalk): Promise<number> {
  const paginator = createPaginator(walk.paginate);
  const isJson = walk.formatType === 'json';
  const parse = isJson && (paginator.needs !== 'nothing' || walk.errorWhen.length > 0 || walk.onRecords !== undefined);
  if (!isJson && (paginator.needs === 'body' || walk.onRecords)) {
    throw new StreamConfigError(
      walk.where,
      `paginate type "${walk.paginate.type}" (or a dependent stream) reads the response body, which needs format json (this stream is ${walk.formatType}); use offset with total_header, link_header or page_number`,
    );
  }
  let request = withQuery(walk.request, paginator.first());
  let pages = 0;
  for (;;) {
    // The page number is fixed before the request, so a retried page overwrites its own key.
    const seq = walk.writer?.reserve() ?? 0;
    const facts = await walk.http.exchange(request, (response) =>
      parse ? readJsonPage(walk, response, seq) : streamPage(walk, response, seq),
    );
    pages += 1;
    const step = paginator.next(facts);
    if (!step) return pages;
    request = 'url' in step ? { ...request, url: step.url } : withQuery(request, step.query);
  }
}

async function readJsonPage(walk: PageWalk, response: OpenResponse, seq: number): Promise<PageFacts> {
  const { buffer, tally } = await bufferedBody(response);
  let body: unknown;
  try {
    body = JSON.parse(buffer.toString('utf8'));
  } catch {
    throw new BadResponseError(
      walk.redact(response.url),
      `body is not valid JSON (${tally.bytes} bytes, starts ${JSON.stringify(walk.redact(buffer.subarray(0, 80).toString('utf8')))})`,
    );
  }
  checkErrorPredicates(body, walk.errorWhen, walk.redact(response.url), walk.redact);
  const check = walk.expectRecords && { url: walk.redact(response.url), expect: walk.expectRecords };
  const records = recordsAt(body, walk.recordsPath, check);
  if (walk.writer)
    await walk.writer.writeAt(
      seq,
      buffer,
      tally.sniffed,
      contentTypeOf(response.headers['content-type']),
      walk.context,
    );
  walk.onRecords?.(records);
  return { body, headers: response.headers, records: records.length, url: response.url };
}

async function streamPage(walk: PageWalk, response: OpenResponse, seq: number): Promise<PageFacts> {
  const { stream, tally } = await meteredBody(response);
  if (walk.writer)
    await walk.writer.writeAt(
      seq,
      stream,
      tally.sniffed,
      contentTypeOf(response.headers['content-type']),
      walk.context,
    );
  else for await (const _chunk of stream); // drain: a walk without a writer only needs headers
  const countable = !tally.sniffed && (walk.formatType === 'csv' || walk.formatType === 'jsonl');
  const records = countable
    ? Math.max(0, lineCount(tally) - (walk.formatType === 'csv' ? (walk.headerLines ?? 1) : 0))
    : undefined;
  return { headers: response.headers, records, url: response.url };
}

function contentTypeOf(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim() || undefined;
}
