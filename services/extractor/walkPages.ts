import { Readable } from 'node:stream';
import type { ExpectRecords } from '../../shared/config/schema/expectRecords';
import { BadResponseError, StreamConfigError } from './errors';
import { checkBodyPredicates, checkErrorPredicates, type ErrorPredicate } from './errorPredicates';
import type { HttpClient } from './http/HttpClient';
import { bufferedBody, lineCount, meteredBody, pageContent, type BodyGuards, type BodyTally } from './http/pageBody';
import type { HttpRequest, OpenResponse } from './http/types';
import { createPaginator, type PaginationConfig } from '../../shared/config/paginate/registry';
import type { PageFacts, PageVariables } from '../../shared/config/paginate/types';
import { applyPageStep } from './paginate/applyPageStep';
import { nextPage } from './paginate/nextPage';
import { XmlRecordCounter } from './paginate/XmlRecordCounter';
import { recordsAt } from './readPath';
import type { RawWriter } from './RawWriter';

export interface PageWalk {
  http: HttpClient;
  /**
   * The configured request rendered for one page (its `{{ page.* }}` values); the page step's
   * patch (next URL, query, headers, body fields) is applied to it.
   */
  request: (page: PageVariables) => HttpRequest;
  paginate: PaginationConfig;
  /** Record selector for JSON pages. */
  recordsPath: string;
  /** The stream's format type (json, jsonl, csv, xml…). */
  formatType: string;
  /** Lines before the first record of a CSV page (header and skipped lines). */
  headerLines?: number;
  /** The element holding one record of an XML page (counted for paging). */
  recordElement?: string;
  errorWhen: ErrorPredicate[];
  /** Caps on every body of the walk (the item's byte budget, page bytes, decompression ratio). */
  guards: BodyGuards;
  /** `limits.max_pages`: a walk that reads more fails. */
  maxPages: number;
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

/** Bodies up to this size are read whole to check `error_when` on them; an error envelope is small. */
const PEEK_BYTES = 64 * 1024;

/**
 * Requests every page of one request and stores each as it arrives. JSON pages are parsed
 * when paging or record callbacks need them (read whole, up to `limits.max_page_bytes`); other
 * bodies stream from the socket to the object store untouched, their records counted on the
 * way (lines, XML record elements). `error_when` is checked on every parsed page and on every
 * other body small enough to be an error envelope, JSON or XML, after decompression.
 * Returns the number of pages read.
 */
export async function walkPages(walk: PageWalk): Promise<number> {
  const paginator = createPaginator(walk.paginate);
  const isJson = walk.formatType === 'json';
  const parse = isJson && (paginator.reads !== 'nothing' || walk.onRecords !== undefined);
  if (!isJson && (paginator.reads === 'body' || walk.onRecords)) {
    throw new StreamConfigError(
      walk.where,
      `paginate type "${walk.paginate.type}" (or a dependent stream) reads the response body, which needs format json (this stream is ${walk.formatType}); read totals and cursors from headers ({ header: … }), or use link_header or page_number`,
    );
  }
  let step = paginator.first();
  const sent = new Set<string>();
  let pages = 0;
  for (;;) {
    const request = applyPageStep(walk.request(step.page), step, walk.where);
    // The page number is fixed before the request, so a retried page overwrites its own key.
    const seq = walk.writer?.reserve() ?? 0;
    const facts = await walk.http.exchange(request, (response) =>
      parse ? readJsonPage(walk, response, seq) : streamPage(walk, response, seq),
    );
    pages += 1;
    const next = nextPage(paginator, facts, { pages, maxPages: walk.maxPages, where: walk.where, sent });
    if (!next) return pages;
    step = next;
  }
}

async function readJsonPage(walk: PageWalk, response: OpenResponse, seq: number): Promise<PageFacts> {
  const url = walk.redact(response.url);
  const { buffer, tally } = await bufferedBody(response, walk.guards);
  if (tally.sniffed === 'zip')
    throw new StreamConfigError(
      walk.where,
      `the page at ${url} is a zip archive, whose cursor or records cannot be read while paging; page it with total_header or link_header, or download it as an async report`,
    );
  const content = await pageContent(buffer, tally.sniffed, url, walk.guards);
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    throw new BadResponseError(
      url,
      `body is not valid JSON (${content.length} bytes, starts ${JSON.stringify(walk.redact(content.subarray(0, 80).toString('utf8')))})`,
    );
  }
  checkErrorPredicates(body, walk.errorWhen, url, walk.redact);
  const check = walk.expectRecords && { url, expect: walk.expectRecords };
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
  const xmlRecords =
    walk.formatType === 'xml' && walk.recordElement ? new XmlRecordCounter(walk.recordElement) : undefined;
  const { stream, tally } = await meteredBody(response, {
    ...walk.guards,
    ...(xmlRecords ? { onChunk: (chunk: Buffer) => xmlRecords.push(chunk) } : {}),
  });
  let body: Readable | Buffer = stream;
  if (walk.errorWhen.length > 0) {
    const head = await peek(stream, PEEK_BYTES);
    if (Buffer.isBuffer(head)) {
      const url = walk.redact(response.url);
      if (tally.sniffed !== 'zip')
        checkBodyPredicates(await pageContent(head, tally.sniffed, url, walk.guards), walk.errorWhen, url, walk.redact);
    }
    body = head;
  }
  if (walk.writer)
    await walk.writer.writeAt(seq, body, tally.sniffed, contentTypeOf(response.headers['content-type']), walk.context);
  else if (!Buffer.isBuffer(body)) for await (const _chunk of body); // drain: a walk without a writer only needs headers
  return { headers: response.headers, records: recordCount(walk, tally, xmlRecords), url: response.url };
}

/** Records on a streamed page, when they can be told without decoding it: lines or XML record elements. */
function recordCount(walk: PageWalk, tally: BodyTally, xml: XmlRecordCounter | undefined): number | undefined {
  if (tally.sniffed) return undefined;
  if (walk.formatType === 'jsonl') return lineCount(tally);
  if (walk.formatType === 'csv') return Math.max(0, lineCount(tally) - (walk.headerLines ?? 1));
  return xml?.count;
}

/**
 * The whole body when it ends within `limit` bytes; otherwise a stream of all of it (the bytes
 * already read first), so a large body is never held.
 */
async function peek(stream: Readable, limit: number): Promise<Buffer | Readable> {
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return Buffer.concat(head);
    head.push(next.value);
    size += next.value.length;
    if (size > limit) return Readable.from(rejoin(head, iterator));
  }
}

async function* rejoin(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

function contentTypeOf(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim() || undefined;
}
