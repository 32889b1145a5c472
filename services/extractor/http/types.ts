import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { RequestKind } from '../../../shared/config/schema/rateLimit';

/** A fully rendered request: templates resolved, auth not yet applied. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * The URL carries its own authorisation (a pre-signed report download link): no credentials
   * are added. Sending them would leak them to another host, and S3 refuses a request that is
   * signed twice.
   */
  withoutAuth?: boolean;
  /** What the request is for, which picks its `rate_limit.by_kind` budget. Default: page. */
  kind?: RequestKind;
}

/** A response whose body has not been read yet. */
export interface OpenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Final URL after redirects. */
  url: string;
  body: Readable;
  /** The Authorization header the request went out with (after the auth hook), if any. */
  sentAuthorization?: string;
}

/** What an auth hook may change on a request. */
export interface AuthTarget {
  url: URL;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Adds credentials to a request. `refresh` is called once after a 401; it returns false when
 * there is nothing to refresh (static keys), so the 401 fails the item.
 */
export interface AuthHook {
  /** Sets headers or query parameters on the outgoing request (a got beforeRequest hook). */
  apply(target: AuthTarget): Promise<void>;
  /** `rejected`: the Authorization header the 401 answered, so a token another call already replaced is not refreshed again. */
  refresh?(rejected?: string): Promise<boolean>;
}
