import pLimit from 'p-limit';
import type { WorkItem } from '../../shared/messages/workItem';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { downloadReport, type AsyncJobState } from './asyncjob/asyncJobState';
import { StreamConfigError } from './errors';
import { openSession, type SourceSession } from './openSession';
import { RawWriter } from './RawWriter';
import { ByteBudget } from './http/ByteBudget';
import { readField } from './readPath';
import { buildRequest, type RequestConfig } from './request/buildRequest';
import type { StreamDefinition } from '../../shared/config/schema';
import { sourceFileOf } from '../../shared/config/loadConfig';
import { walkPages, type PageWalk } from './walkPages';

/** What an extraction produced: the raw manifest and its totals, and the next incremental cursor. */
export interface ExtractResult {
  raw: { manifestKey: string; objects: number; bytes: number; pages: number };
  cursor?: string;
}

export interface ExtractOptions {
  /** Replaces the backoff sleep (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** How often Extract tells the state machine it is alive (default 5 minutes). */
  heartbeatMs?: number;
}

/** The stream's request; only async reports may lack one (the config check enforces it too). */
function requestOf(stream: StreamDefinition, name: string): RequestConfig {
  if (!stream.request) throw new StreamConfigError(`stream ${name}`, 'has no request; add `request: { path: … }`');
  return stream.request;
}

/** Largest cursor value seen, compared as numbers when both are numeric. */
function maxCursor(current: string | undefined, candidate: unknown): string | undefined {
  if (candidate === undefined || candidate === null || candidate === '') return current;
  const text = String(candidate);
  if (current === undefined) return text;
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(text) && numeric.test(current)) return Number(text) > Number(current) ? text : current;
  return text > current ? text : current;
}

/**
 * Extracts one work item: calls the API page by page (auth, paging, dependent calls, retries,
 * rate limit), streams every page to `raw/…` as it arrives and writes the raw manifest.
 * For an async report, `job` is the state PollJob returned and the report is downloaded.
 *
 * @example
 * const { raw } = await extractItem(ctx, item);
 * raw.manifestKey; // raw/acme/demo_ads/campaigns/dt=all/run=r1/3f2a…-manifest.json
 */
export async function extractItem(
  ctx: ServiceContext,
  item: WorkItem,
  job?: AsyncJobState,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const session = await openSession(ctx, item, options);
  const { stream } = session;
  const writer = new RawWriter(ctx.ports.objectStore, item, stream.format.type);
  const budget = new ByteBudget(session.limits.max_bytes);
  let cursor: string | undefined;
  const cursorField = stream.incremental?.cursor_field;
  const trackCursor = cursorField
    ? (records: unknown[]) => {
        for (const record of records) cursor = maxCursor(cursor, readField(record, cursorField));
      }
    : undefined;
  const walkBase = (): Omit<PageWalk, 'request'> => ({
    http: session.http,
    paginate: stream.paginate,
    recordsPath: stream.records,
    formatType: stream.format.type,
    headerLines: 'skip_lines' in stream.format ? 1 + Number(stream.format.skip_lines ?? 0) : 1,
    errorWhen: session.source.retry.error_when,
    guards: { ...session.guards, budget },
    maxPages: session.limits.max_pages,
    ...(stream.format.type === 'xml' ? { recordElement: stream.format.record_element } : {}),
    writer,
    ...(trackCursor ? { onRecords: trackCursor } : {}),
    redact: session.redact,
    where: `${sourceFileOf(ctx.config, item.source)} streams.${item.stream}`,
  });

  let pages: number;
  if (item.extraction === 'async') {
    if (!job)
      throw new StreamConfigError(
        `${item.label}`,
        'an async item reached Extract without the job from PollJob; the state machine must pass `job`',
      );
    pages = await downloadReport(session, walkBase(), job);
  } else if (stream.parent) {
    pages = await extractChildren(session, walkBase());
  } else {
    pages = await walkPages({
      ...walkBase(),
      request: (page) =>
        buildRequest(
          requestOf(stream, item.stream),
          { ...session.scope, page },
          session.baseUrl,
          session.source.headers,
        ),
    });
  }
  const manifestKey = await writer.finish();
  return {
    raw: { manifestKey, objects: writer.objects, bytes: writer.bytes, pages },
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

/** Dependent calls: walk the parent stream for its records, then the child once per record. */
async function extractChildren(session: SourceSession, base: Omit<PageWalk, 'request'>): Promise<number> {
  const { stream, source } = session;
  const link = stream.parent!;
  const parentStream = source.streams[link.stream];
  if (!parentStream || parentStream.parent) {
    throw new StreamConfigError(
      base.where,
      `parent stream "${link.stream}" ${parentStream ? 'is itself dependent; only one level is supported' : 'does not exist in the source'}`,
    );
  }
  const parents: unknown[] = [];
  let pages = await walkPages({
    http: session.http,
    request: (page) =>
      buildRequest(requestOf(parentStream, link.stream), { ...session.scope, page }, session.baseUrl, source.headers),
    paginate: parentStream.paginate,
    recordsPath: parentStream.records,
    formatType: parentStream.format.type,
    errorWhen: source.retry.error_when,
    // Parent pages are read, not stored: they are held to max_page_bytes, not charged to the item.
    guards: { maxRatio: parentStream.format.max_ratio, maxPageBytes: session.limits.max_page_bytes },
    maxPages: session.limits.max_pages,
    onRecords: (records) => void parents.push(...records),
    expectRecords: parentStream.expect_records,
    redact: session.redact,
    where: `streams.${link.stream} (parent of ${base.where})`,
  });
  const limit = pLimit(link.concurrency);
  const childPages = await Promise.all(
    parents.map((record) =>
      limit(() => {
        const context = Object.fromEntries(
          Object.entries(link.fields).map(([column, field]) => [column, readField(record, field)]),
        );
        const scope = { ...session.scope, parent: record };
        return walkPages({
          ...base,
          context,
          request: (page) =>
            buildRequest(requestOf(stream, base.where), { ...scope, page }, session.baseUrl, source.headers),
        });
      }),
    ),
  );
  for (const count of childPages) pages += count;
  return pages;
}
