import type { IncomingHttpHeaders } from 'node:http';
import type { WorkItem } from '../../../shared/messages/workItem';
import { BadResponseError, HttpStatusError, StreamConfigError } from '../errors';
import { checkErrorPredicates } from '../errorPredicates';
import { bufferedBody, pageContent } from '../http/pageBody';
import type { OpenResponse } from '../http/types';
import type { SourceSession } from '../openSession';
import { describeReader, readValue } from '../../../shared/config/readValue';
import { buildRequest } from '../request/buildRequest';
import { walkPages, type PageWalk } from '../walkPages';
import { parseShortDuration } from '../../../shared/config/shortDuration';
import { parseStatusBody } from './parseStatusBody';

/**
 * An async report job as it travels through the state machine (StartJob → Wait → PollJob).
 * It holds no secret and no download URL: Extract asks for a fresh URL itself.
 */
export interface AsyncJobState {
  id: string;
  polls: number;
  startedAt: string;
  /** Last status value the API reported. */
  status?: string;
  /** Last progress value the API reported (`async_job.poll.progress`), as given. */
  progress?: string;
  /** 1 for the item's first job, +1 each time `async_job.resubmit` created it again. */
  attempt?: number;
  /** Why the platform failed the previous job (on a re-submitted job), as it said it. */
  lastFailure?: string;
}

/** `resubmit`: the platform failed the job and `async_job.resubmit` creates it again after a wait. */
export type JobStatus = 'running' | 'ready' | 'failed' | 'resubmit';

function asyncConfig(session: SourceSession, item: WorkItem) {
  const config = session.stream.async_job;
  if (!config)
    throw new StreamConfigError(
      item.label,
      'the stream has no async_job block, so it cannot be started or polled as a report job',
    );
  return config;
}

/**
 * Reads a create or status answer (JSON or XML, gzip recognised and decompressed first) and
 * applies the source's `retry.error_when` to a 2xx one, so an error envelope inside a 200 is
 * retried like a 5xx instead of being read as a job id or a status.
 */
async function readJson(session: SourceSession, response: OpenResponse): Promise<unknown> {
  const url = session.redact(response.url);
  const { buffer, tally } = await bufferedBody(response, session.guards);
  const content = await pageContent(buffer, tally.sniffed, url, session.guards);
  const body = parseStatusBody(content);
  if (body === undefined)
    throw new BadResponseError(
      url,
      `body is neither JSON nor XML (starts ${JSON.stringify(session.redact(content.subarray(0, 80).toString('utf8')))})`,
    );
  if (response.status >= 200 && response.status < 300)
    checkErrorPredicates(body, session.source.retry.error_when, url, session.redact);
  return body;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function excerptOf(session: SourceSession, body: unknown): string {
  return session.redact(JSON.stringify(body).slice(0, 300));
}

/** Creates the report job; a "duplicate request" answer naming an existing job follows that job. */
export async function createJob(
  session: SourceSession,
  item: WorkItem,
  now: Date,
  attempt = 1,
): Promise<AsyncJobState> {
  const config = asyncConfig(session, item);
  const request = {
    ...buildRequest(config.create, session.scope, session.baseUrl, session.source.headers),
    kind: 'create' as const,
  };
  const id = await session.http.exchange(
    request,
    async (response) => {
      const answer = { body: await readJson(session, response), headers: response.headers };
      const created = readValue(config.id, answer);
      const found = present(created) || !config.duplicate_id ? created : readValue(config.duplicate_id, answer);
      // An answer without a job id is an error envelope (or a wrong `id` path): retried, then named.
      if (!present(found))
        throw new BadResponseError(
          session.redact(response.url),
          `no job id at ${describeReader(config.id)}${config.duplicate_id ? ` or ${describeReader(config.duplicate_id)}` : ''} in ${excerptOf(session, answer.body)}; if the API answered an error, add it to retry.error_when, else check async_job.id against the API's create response`,
        );
      return String(found);
    },
    { accept: (status) => config.duplicate_id !== undefined && (status === 409 || status === 425) },
  );
  return { id, polls: 0, startedAt: now.toISOString(), attempt };
}

/** A status answer: its parsed body and its headers. */
export interface StatusAnswer {
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** The progress a status response reports, when the source says where to find it. */
export function progressOf(session: SourceSession, answer: StatusAnswer): string | undefined {
  const reader = session.stream.async_job?.poll.progress;
  const value = reader ? readValue(reader, answer) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

/** Why a failed job failed, as the platform says it (`async_job.poll.message`), else an excerpt of its answer. */
export function failureMessageOf(session: SourceSession, answer: StatusAnswer): string {
  const reader = session.stream.async_job?.poll.message;
  const value = reader ? readValue(reader, answer) : undefined;
  const text = value === undefined || value === null ? JSON.stringify(answer.body) : String(value);
  return session.redact(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/** One status request. Never sleeps: the state machine waits `waitSeconds` between polls. */
export async function pollOnce(
  session: SourceSession,
  item: WorkItem,
  job: AsyncJobState,
): Promise<{ status: JobStatus; raw: string; answer: StatusAnswer; waitSeconds: number }> {
  const config = asyncConfig(session, item);
  const request = {
    ...buildRequest(
      config.poll.request,
      { ...session.scope, job: { id: job.id } },
      session.baseUrl,
      session.source.headers,
    ),
    kind: 'poll' as const,
  };
  const { answer, raw } = await session.http.exchange(request, async (response) => {
    const answer: StatusAnswer = { body: await readJson(session, response), headers: response.headers };
    const status = readValue(config.poll.status, answer);
    // No status at all is an error envelope, not an unknown status: retried like a 5xx.
    if (!present(status))
      throw new BadResponseError(
        session.redact(response.url),
        `no job status at ${describeReader(config.poll.status)} in ${excerptOf(session, answer.body)}; if the API answered an error, add it to retry.error_when`,
      );
    return { answer, raw: String(status) };
  });
  const waitSeconds = Math.max(1, Math.round(parseShortDuration(config.poll.wait) / 1000));
  if (config.poll.done.includes(raw)) return { status: 'ready', raw, answer, waitSeconds };
  if (config.poll.failed.includes(raw)) return { status: 'failed', raw, answer, waitSeconds };
  if (config.poll.running.includes(raw)) return { status: 'running', raw, answer, waitSeconds };
  throw new HttpStatusError(
    200,
    session.redact(request.url),
    excerptOf(session, answer.body),
    `job status "${raw}" at ${describeReader(config.poll.status)} is in none of running/done/failed; add it to async_job.poll`,
  );
}

const MAX_URL_REFRESHES = 3;

/**
 * Downloads a finished report. With `download.url` the URL comes from a fresh status request
 * (URLs expire); an expired URL (403/410 by default) is re-polled for a new one. A completed job
 * without a URL has no data: nothing is written.
 */
export async function downloadReport(
  session: SourceSession,
  base: Omit<PageWalk, 'request'>,
  job: AsyncJobState,
): Promise<number> {
  const item = { label: base.where } as WorkItem;
  const config = asyncConfig(session, item);
  const download = config.download;
  const walk = {
    ...base,
    paginate: download.paginate ?? { type: 'none' as const },
    recordsPath: download.records ?? base.recordsPath,
    // A report is data: an error predicate must not turn a (compressed) report into a failure.
    errorWhen: download.check_errors ? base.errorWhen : [],
  };
  if (download.request) {
    const configured = download.request;
    return walkPages({
      ...walk,
      request: (page) => ({
        ...buildRequest(
          configured,
          { ...session.scope, job: { id: job.id }, page },
          session.baseUrl,
          session.source.headers,
        ),
        withoutAuth: download.auth === 'none',
        kind: 'download',
      }),
    });
  }
  if (!download.url)
    throw new StreamConfigError(
      base.where,
      'async_job.download needs `url` (a path in the status response) or `request`',
    );
  for (let refresh = 0; ; refresh++) {
    const poll = await pollOnce(session, item, job);
    if (poll.status !== 'ready')
      throw new BadResponseError(base.where, `the report job ${job.id} is "${poll.raw}" again after it was ready`);
    const url = readValue(download.url, poll.answer);
    if (url === undefined || url === null || url === '') return 0;
    try {
      const location = new URL(String(url), session.baseUrl);
      // An absolute link handed out by the API is pre-signed (S3 refuses a second Authorization,
      // and another host must never see the credentials), whatever host it is on.
      const absolute = /^[a-z][a-z0-9+.-]*:/i.test(String(url));
      const withoutAuth = (download.auth ?? (absolute ? 'none' : 'source')) === 'none';
      return await walkPages({
        ...walk,
        request: () => ({ method: 'GET', url: location.toString(), headers: {}, withoutAuth, kind: 'download' }),
      });
    } catch (error) {
      const expired = error instanceof HttpStatusError && download.expired_statuses.includes(error.status);
      if (!expired || refresh + 1 >= MAX_URL_REFRESHES) throw error;
    }
  }
}
