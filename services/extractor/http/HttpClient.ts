import got, { RequestError, type Got, type Response } from 'got';
import type { IncomingHttpHeaders } from 'node:http';
import type { Permit, RateLimiter } from '../../../shared/ports/RateLimiter';
import { isPermanent } from '../../../shared/runtime/errors';
import {
  AuthFailedError,
  BadResponseError,
  HostNotAllowedError,
  HttpStatusError,
  RequestDeadlineError,
  RetriesExhaustedError,
} from '../errors';
import type { HostAllowList } from './allowedHosts';
import { unwrapError } from './unwrapError';
import { meteredBody } from './pageBody';
import { backoffDelay, retryAfterMs } from './retryDelay';
import type { LimitPolicies } from './limitPolicies';
import { usedFraction, type UsageSignal } from './usageSignal';

export { usedFraction, type UsageSignal };
import type { AuthHook, HttpRequest, OpenResponse } from './types';

export interface RetrySettings {
  statuses: number[];
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Header with seconds until a rate-limit window resets. */
  resetHeader?: string;
  /** Error statuses whose body {@link transientBody} reads (`retry.envelope_statuses`). */
  envelopeStatuses?: number[];
  /**
   * Whether the body of one of {@link envelopeStatuses} says the failure is transient (a
   * retryable `error_when` match): Meta answers its rate limits with HTTP 400 and `{"error":{"code":17}}`.
   */
  transientBody?: (body: Buffer) => boolean;
}

export interface HttpClientOptions {
  allowList: HostAllowList;
  auth: AuthHook;
  /** Connect, first byte and idle-between-bytes timeout. */
  timeoutMs: number;
  /** Longest time one attempt may take, from sending the request to the last byte consumed. */
  deadlineMs?: number;
  retry: RetrySettings;
  /** Budgets to take permits from: the request's kind's (`request.kind`), then the source-wide one. */
  limiter?: LimitPolicies & { rateLimiter: RateLimiter; usage?: UsageSignal };
  /** Masks secret values in URLs and excerpts that go into errors. */
  redact: (text: string) => string;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Consumes an open response; throw {@link BadResponseError} to have the request retried. */
export type ResponseConsumer<T> = (response: OpenResponse) => Promise<T>;

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ENOTFOUND',
]);
const EXCERPT_BYTES = 300;
/** An error envelope is small; a larger error body is not read for `transientBody`. */
const ERROR_BODY_BYTES = 64 * 1024;

function isRetryable(error: unknown): boolean {
  if (error instanceof BadResponseError) return error.retryable;
  if (isPermanent(error)) return false;
  const code = (error as { code?: string }).code;
  return error instanceof RequestError || (code !== undefined && RETRYABLE_CODES.has(code));
}

/** The start of an error answer's body, decoded like any body (it may be gzip-encoded), under a small cap. */
async function errorBody(response: OpenResponse, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    const { stream } = await meteredBody(response, { maxRatio: 1000, maxPageBytes: maxBytes });
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= maxBytes) break;
    }
  } catch {
    // Best effort: the status alone already explains the failure.
  }
  response.body.destroy();
  return Buffer.concat(chunks);
}

function excerptOf(body: Buffer, redact: (text: string) => string): string {
  const text = body.subarray(0, EXCERPT_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
  return redact(body.length > EXCERPT_BYTES ? `${text}…` : text);
}

/** Methods for which got sends a request body (and waits for one to be written when none is given). */
function hasBody(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS', 'DELETE', 'TRACE'].includes(method.toUpperCase());
}

function hintFor(status: number): string {
  if (status === 401 || status === 403)
    return 'check the credentials stored for this client and source, and that they grant access to this resource';
  if (status === 404) return 'check the ids in the client params and the request path of the stream';
  if (status === 400 || status === 422)
    return 'check the query parameters and body of the stream (dates, field names) against the API documentation';
  return 'check the API documentation for this status; add it to retry.statuses if it is transient';
}

/**
 * The one request function of the extractor, built on got: defaults merged once; behaviour
 * added as hooks (host allow-list, credentials, redirect check) and around each exchange
 * (rate-limit permit, retries with full-jitter backoff and Retry-After, one token refresh after
 * a 401). The body is handed to `consume` as a stream, so nothing is buffered here; a consumer
 * that finds the body truncated or wrong throws {@link BadResponseError} and the whole
 * exchange is retried.
 */
export class HttpClient {
  private readonly got: Got;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: HttpClientOptions) {
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    const { allowList, auth, timeoutMs } = options;
    this.got = got.extend({
      throwHttpErrors: false,
      retry: { limit: 0 },
      // Content-Encoding is decoded by meteredBody, under the same caps as every other body.
      decompress: false,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
      followRedirect: true,
      maxRedirects: 5,
      timeout: { connect: timeoutMs, response: timeoutMs, socket: timeoutMs },
      hooks: {
        beforeRequest: [
          (gotOptions) => allowList.check(gotOptions.url as URL),
          async (gotOptions) => {
            if (gotOptions.context.withoutAuth === true) return;
            await auth.apply({ url: gotOptions.url as URL, headers: gotOptions.headers as Record<string, string> });
          },
        ],
        beforeRedirect: [(gotOptions) => allowList.check(gotOptions.url as URL)],
      },
    });
  }

  /** Sends `request` (retrying as configured) and returns what `consume` makes of the response. */
  async exchange<T>(
    request: HttpRequest,
    consume: ResponseConsumer<T>,
    options: { accept?: (status: number) => boolean } = {},
  ): Promise<T> {
    const { retry, redact } = this.options;
    const safeUrl = redact(request.url);
    this.options.allowList.check(request.url);
    let refreshed = false;
    let lastError = '';
    for (let attempt = 0; attempt < retry.maxAttempts; attempt++) {
      const permits = await this.permits(request);
      let waitMs: number | undefined;
      let settle = (): void => undefined;
      try {
        const opened = await this.open(request);
        for (const permit of permits) permit.arrived?.();
        settle = opened.settle;
        const response = opened.response;
        await this.heedUsage(response.headers);
        if (
          response.status === 401 &&
          !refreshed &&
          !request.withoutAuth &&
          this.options.auth.refresh &&
          (await this.options.auth.refresh(response.sentAuthorization))
        ) {
          response.body.destroy();
          refreshed = true;
          attempt--; // a token refresh is not a failed attempt
          continue;
        }
        if ((response.status >= 200 && response.status < 300) || options.accept?.(response.status))
          return await consume(response);
        const readsEnvelope = retry.transientBody !== undefined && retry.envelopeStatuses?.includes(response.status);
        const raw = await errorBody(response, readsEnvelope ? ERROR_BODY_BYTES : EXCERPT_BYTES + 1);
        const body = excerptOf(raw, redact);
        if (!retry.statuses.includes(response.status) && !(readsEnvelope && retry.transientBody!(raw))) {
          if (response.status === 401) throw new AuthFailedError(safeUrl, `HTTP 401 ${body}`);
          throw new HttpStatusError(response.status, redact(response.url), body, hintFor(response.status));
        }
        lastError = `HTTP ${response.status} ${body}`;
        waitMs = this.serverWait(response.headers);
        const busy = this.busyScope(request);
        if (response.status === 429 && busy !== undefined) {
          await this.options.limiter!.rateLimiter.backOff(
            busy,
            waitMs ?? backoffDelay(attempt, retry.baseDelayMs, retry.maxDelayMs, this.random),
          );
        }
      } catch (raw) {
        const error = unwrapError(raw);
        if (!isRetryable(error)) throw error;
        lastError = redact(error instanceof Error ? error.message : String(error));
      } finally {
        settle();
        for (const permit of permits.reverse()) await permit.release();
      }
      if (attempt + 1 < retry.maxAttempts) {
        await this.sleep(
          Math.min(retry.maxDelayMs, waitMs ?? backoffDelay(attempt, retry.baseDelayMs, retry.maxDelayMs, this.random)),
        );
      }
    }
    throw new RetriesExhaustedError(safeUrl, retry.maxAttempts, lastError);
  }

  /**
   * Permits for one attempt: the kind's budget first, then the source-wide one. A request waiting
   * for its kind (a report creation held to one per profile) holds no source-wide slot meanwhile,
   * and one fixed order means two workers never each hold the permit the other waits for.
   */
  private async permits(request: HttpRequest): Promise<Permit[]> {
    const limiter = this.options.limiter;
    if (!limiter) return [];
    const policies = [limiter.byKind[request.kind ?? 'page'], limiter.policy].filter((policy) => policy !== undefined);
    const permits: Permit[] = [];
    try {
      for (const policy of policies) permits.push(await limiter.rateLimiter.acquire(policy));
    } catch (error) {
      for (const permit of permits) await permit.release();
      throw error;
    }
    return permits;
  }

  /** The scope a 429 pauses: the kind's own budget when it has one (it is what ran out), else the source's. */
  private busyScope(request: HttpRequest): string | undefined {
    const limiter = this.options.limiter;
    return (limiter?.byKind[request.kind ?? 'page'] ?? limiter?.policy)?.scope;
  }

  /** Slows every worker of the scope down when the API reports its quota nearly used. */
  private async heedUsage(headers: IncomingHttpHeaders): Promise<void> {
    const limiter = this.options.limiter;
    if (!limiter?.usage || !limiter.policy || !limiter.rateLimiter.slowDown) return;
    const used = usedFraction(headers, limiter.usage);
    if (used !== undefined && used >= limiter.usage.threshold) {
      await limiter.rateLimiter.slowDown(limiter.policy.scope, limiter.usage.factor, limiter.usage.forMs);
    }
  }

  /** Retry-After (seconds or HTTP date) or the configured reset header, in milliseconds. */
  private serverWait(headers: IncomingHttpHeaders): number | undefined {
    const retryAfter = retryAfterMs(headers['retry-after'], this.now());
    if (retryAfter !== undefined) return retryAfter;
    const reset = this.options.retry.resetHeader ? headers[this.options.retry.resetHeader.toLowerCase()] : undefined;
    return reset === undefined ? undefined : retryAfterMs(reset, this.now());
  }

  /**
   * Opens one attempt. `settle` ends its deadline: until then a timer destroys the exchange
   * with {@link RequestDeadlineError}, however steadily (or slowly) bytes arrive.
   */
  private async open(request: HttpRequest): Promise<{ response: OpenResponse; settle: () => void }> {
    const stream = this.got.stream(request.url, {
      method: request.method,
      headers: { ...request.headers },
      context: { withoutAuth: request.withoutAuth === true },
      // got's stream waits for a body to be written to a POST/PUT/PATCH; one without a body (all
      // its parameters in the query) is sent empty rather than left hanging.
      ...(request.body !== undefined ? { body: request.body } : hasBody(request.method) ? { body: '' } : {}),
    });
    const deadlineMs = this.options.deadlineMs;
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(
            () =>
              stream.destroy(
                new RequestDeadlineError(
                  this.options.redact(request.url),
                  deadlineMs,
                  stream.downloadProgress.transferred,
                ),
              ),
            deadlineMs,
          );
    const settle = (): void => clearTimeout(timer);
    const response = await new Promise<Response>((resolve, reject) => {
      stream.once('response', resolve);
      stream.once('error', reject);
    }).catch((error: unknown) => {
      settle();
      stream.destroy();
      throw unwrapError(error);
    });
    // A later body error reaches the consumer through the stream; keep it from being unhandled here.
    stream.on('error', () => undefined);
    return {
      response: {
        status: response.statusCode,
        headers: response.headers,
        url: response.url,
        body: stream,
        ...sentAuthorizationOf(response),
      },
      settle,
    };
  }
}

/** The Authorization header got sent, after the auth hook set it. */
function sentAuthorizationOf(response: Response): { sentAuthorization?: string } {
  const sent = response.request.options.headers.authorization;
  return typeof sent === 'string' ? { sentAuthorization: sent } : {};
}

export { HostNotAllowedError };
