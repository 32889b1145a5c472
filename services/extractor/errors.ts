import { PermanentError } from '../../shared/runtime/errors';

/**
 * A response the extractor cannot use and that retrying will not fix (a 4xx other than a rate
 * limit, an error predicate marked non-retryable). The message carries the status, the URL
 * without secrets, a short body excerpt and what to check.
 */
export class HttpStatusError extends PermanentError {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly excerpt: string,
    hint: string,
  ) {
    super('Extract.HttpError', `HTTP ${status} from ${url}: ${excerpt || '(empty body)'} — ${hint}`);
    this.name = 'HttpStatusError';
  }
}

/** Every attempt of a request failed with a retryable error. Thrown so the state machine may retry the item later. */
export class RetriesExhaustedError extends Error {
  readonly code = 'Extract.RetriesExhausted';
  constructor(
    readonly url: string,
    readonly attempts: number,
    lastError: string,
  ) {
    super(
      `gave up on ${url} after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastError}. The API kept failing; check its status page or raise retry.max_attempts.`,
    );
    this.name = 'RetriesExhaustedError';
  }
}

/**
 * A page whose records the extractor itself needs (a parent stream's, for dependent calls) has no
 * list or object at the records path. The transformer judges the stream's own pages.
 */
export class RecordsPathError extends PermanentError {
  constructor(url: string, what: string) {
    super(
      'Extract.RecordsPath',
      `${url}: ${what}. Check that the API answered with data rather than an error, fix the parent stream's records path, or set expect_records: allow_missing on it if the API leaves the list out when it is empty`,
    );
    this.name = 'RecordsPathError';
  }
}

/** A URL (configured, next page, download, redirect) points at a host the source does not allow. */
export class HostNotAllowedError extends PermanentError {
  constructor(
    readonly url: string,
    allowed: string[],
  ) {
    super(
      'Extract.HostNotAllowed',
      `refused to call ${url}: its host is not in allowed_hosts (${allowed.join(', ')}). If the API really uses this host, add it to the source's allowed_hosts.`,
    );
    this.name = 'HostNotAllowedError';
  }
}

/** The paginator was handed the same cursor or next URL twice: following it would loop forever. */
export class RepeatedCursorError extends PermanentError {
  constructor(
    readonly url: string,
    cursor: string,
  ) {
    super(
      'Extract.RepeatedCursor',
      `the API returned the same page cursor twice (${cursor.slice(0, 80)}) at ${url}; stopping instead of looping. Check the stream's paginate settings (cursor path and param).`,
    );
    this.name = 'RepeatedCursorError';
  }
}

/** A body that is not what was expected (truncated, unparseable, an error inside a 200): retried. */
export class BadResponseError extends Error {
  constructor(
    readonly url: string,
    detail: string,
    readonly retryable = true,
  ) {
    super(`bad response from ${url}: ${detail}`);
    this.name = 'BadResponseError';
  }
}

/** Planning raises it too, so it lives with the configuration; extractor code imports it from here. */
export { StreamConfigError } from '../../shared/config/StreamConfigError';

/** Authentication failed even after refreshing the token. */
export class AuthFailedError extends PermanentError {
  /** `sharedRef`: the shared credential in use, whose fix affects every client referencing it. */
  constructor(where: string, detail: string, sharedRef?: string) {
    super(
      'Extract.AuthFailed',
      sharedRef === undefined
        ? `authentication failed for ${where}: ${detail}. Check the credentials stored for this client and source (dif credentials put --client … --source …).`
        : `authentication failed for ${where}: ${detail}. Check the shared credentials "${sharedRef}" (dif credentials put --shared ${sharedRef}); every client that references them uses them.`,
    );
    this.name = 'AuthFailedError';
  }
}

/**
 * A body went past one of the source's `limits` (bytes per item, page bytes) or expanded past
 * `format.max_ratio` while its Content-Encoding was decoded. Retrying would only fetch it again.
 */
export class BodyLimitError extends PermanentError {
  constructor(
    readonly url: string,
    detail: string,
    hint: string,
  ) {
    super('Extract.BodyTooLarge', `stopped reading ${url}: ${detail}. ${hint}`);
    this.name = 'BodyLimitError';
  }
}

/** A request took longer than `limits.request_deadline` from sending it to the last byte. */
export class RequestDeadlineError extends PermanentError {
  constructor(
    readonly url: string,
    deadlineMs: number,
    bytes: number,
  ) {
    super(
      'Extract.RequestDeadline',
      `${url} did not finish within limits.request_deadline (${Math.round(deadlineMs / 1000)} s; ${bytes} bytes had arrived). The server is sending too slowly; raise limits.request_deadline for genuinely slow downloads, or check the API's status.`,
    );
    this.name = 'RequestDeadlineError';
  }
}

/** A walk read `limits.max_pages` pages without paging signalling its end. */
export class TooManyPagesError extends PermanentError {
  constructor(
    readonly url: string,
    maxPages: number,
    where: string,
  ) {
    super(
      'Extract.TooManyPages',
      `${where}: read ${maxPages} pages (limits.max_pages) and paging still did not end (last page ${url}). Check the stream's paginate settings (a total or an empty page must end it), or raise limits.max_pages if the data really is that large.`,
    );
    this.name = 'TooManyPagesError';
  }
}

/**
 * The token endpoint rotated the refresh token but saving it kept failing. Not permanent: the
 * process keeps the new token and saves it before its next token request, so a retry of the
 * item recovers it. The message never holds the token.
 */
export class TokenStoreError extends Error {
  constructor(where: string, attempts: number, cause: unknown) {
    super(
      `${where}: the token endpoint issued a new refresh token but saving it to the credentials store failed ${attempts} times (${cause instanceof Error ? cause.message : String(cause)}). This process keeps it and saves it before its next token request; if the process has ended, the previous refresh token is still stored and is tried next. Check the credentials store (state database / DynamoDB) is writable.`,
      { cause },
    );
    this.name = 'TokenStoreError';
  }
}
