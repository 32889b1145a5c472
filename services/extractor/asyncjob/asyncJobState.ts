import type { WorkItem } from '../../../shared/messages/workItem';
import { BadResponseError, HttpStatusError, StreamConfigError } from '../errors';
import { bufferedBody } from '../http/pageBody';
import type { OpenResponse } from '../http/types';
import type { SourceSession } from '../openSession';
import { readPath } from '../readPath';
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

async function readJson(session: SourceSession, response: OpenResponse): Promise<unknown> {
  const { buffer } = await bufferedBody(response);
  const body = parseStatusBody(buffer);
  if (body === undefined)
    throw new BadResponseError(
      session.redact(response.url),
      `body is neither JSON nor XML (starts ${JSON.stringify(session.redact(buffer.subarray(0, 80).toString('utf8')))})`,
    );
  return body;
}

/** Creates the report job; a "duplicate request" answer naming an existing job follows that job. */
export async function createJob(
  session: SourceSession,
  item: WorkItem,
  now: Date,
  attempt = 1,
): Promise<AsyncJobState> {
  const config = asyncConfig(session, item);
  const request = buildRequest(config.create, session.scope, session.baseUrl, session.source.headers);
  const body = await session.http.exchange(request, (response) => readJson(session, response), {
    accept: (status) => config.duplicate_id !== undefined && (status === 409 || status === 425),
  });
  const id = readPath(body, config.id) ?? (config.duplicate_id ? readPath(body, config.duplicate_id) : undefined);
  if (id === undefined || id === null || id === '') {
    throw new HttpStatusError(
      200,
      session.redact(request.url),
      session.redact(JSON.stringify(body).slice(0, 300)),
      `no job id at ${config.id}; check async_job.id against the API's create response`,
    );
  }
  return { id: String(id), polls: 0, startedAt: now.toISOString(), attempt };
}

/** The progress a status response reports, when the source says where to find it. */
export function progressOf(session: SourceSession, body: unknown): string | undefined {
  const path = session.stream.async_job?.poll.progress;
  const value = path ? readPath(body, path) : undefined;
  return value === undefined || value === null ? undefined : String(value);
}

/** Why a failed job failed, as the platform says it (`async_job.poll.message`), else an excerpt of its answer. */
export function failureMessageOf(session: SourceSession, body: unknown): string {
  const path = session.stream.async_job?.poll.message;
  const value = path ? readPath(body, path) : undefined;
  const text = value === undefined || value === null ? JSON.stringify(body) : String(value);
  return session.redact(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/** One status request. Never sleeps: the state machine waits `waitSeconds` between polls. */
export async function pollOnce(
  session: SourceSession,
  item: WorkItem,
  job: AsyncJobState,
): Promise<{ status: JobStatus; raw: string; body: unknown; waitSeconds: number }> {
  const config = asyncConfig(session, item);
  const request = buildRequest(
    config.poll.request,
    { ...session.scope, job: { id: job.id } },
    session.baseUrl,
    session.source.headers,
  );
  const body = await session.http.exchange(request, (response) => readJson(session, response));
  const raw = String(readPath(body, config.poll.status) ?? '');
  const waitSeconds = Math.max(1, Math.round(parseShortDuration(config.poll.wait) / 1000));
  if (config.poll.done.includes(raw)) return { status: 'ready', raw, body, waitSeconds };
  if (config.poll.failed.includes(raw)) return { status: 'failed', raw, body, waitSeconds };
  if (config.poll.running.includes(raw)) return { status: 'running', raw, body, waitSeconds };
  throw new HttpStatusError(
    200,
    session.redact(request.url),
    session.redact(JSON.stringify(body).slice(0, 300)),
    `job status "${raw}" at ${config.poll.status} is in none of running/done/failed; add it to async_job.poll`,
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
  };
  if (download.request) {
    return walkPages({
      ...walk,
      request: buildRequest(
        download.request,
        { ...session.scope, job: { id: job.id } },
        session.baseUrl,
        session.source.headers,
      ),
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
    const url = readPath(poll.body, download.url);
    if (url === undefined || url === null || url === '') return 0;
    try {
      const location = new URL(String(url), session.baseUrl);
      // A link to another host (e.g. a pre-signed S3 URL) is authorised by its own signature.
      const withoutAuth = location.host !== new URL(session.baseUrl).host;
      return await walkPages({
        ...walk,
        request: { method: 'GET', url: location.toString(), headers: {}, withoutAuth },
      });
    } catch (error) {
      const expired = error instanceof HttpStatusError && download.expired_statuses.includes(error.status);
      if (!expired || refresh + 1 >= MAX_URL_REFRESHES) throw error;
    }
  }
}
