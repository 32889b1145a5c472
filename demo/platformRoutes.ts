import { gzipSync } from 'node:zlib';
import { DEMO_CREDENTIALS } from './credentials';
import type { DemoDataset } from './dataset';
import { cursorPage, json, notFound, type DemoReply, type DemoRoute } from './routes';
import { soapRoutes } from './soapRoutes';
import { reportRecords } from './reportRecords';
import { PacedJobs } from './pacedRoutes';

/** An async report job as the demo API tracks it. */
export interface DemoReportJob {
  id: string;
  key: string;
  accountId: string;
  start: string;
  end: string;
  polls: number;
  /** Polls answered "running" before the job completes. */
  pollsUntilDone: number;
  /** Completed jobs with no data answer without a download URL. */
  empty: boolean;
  /** The platform fails this job (status FAILED / Error) on its first poll. */
  failed: boolean;
  kind: 'amazon' | 'bing';
}

/** Server-side state of the demo API: OAuth tokens and async report jobs. */
export class DemoState {
  private readonly accessTokens = new Map<string, number>();
  private tokenCounter = 0;
  /**
   * Refresh tokens currently valid. Each refresh rotates: the used token is revoked and a new
   * one issued. The seed token from the demo credentials stays valid so every demo client can
   * start its own chain.
   */
  readonly refreshTokens = new Set<string>([DEMO_CREDENTIALS.demo_oauth!.refresh_token!]);
  private refreshCounter = 0;
  /**
   * Rotation with a grace period (Okta, Auth0, Xero and others): a used refresh token stays
   * valid until the token it was exchanged for is used. Off (the default): a used refresh token
   * is revoked at once (strict rotation).
   */
  refreshTokenGrace = false;
  /** The refresh token each rotated one was issued for (grace mode revokes it on first use of the new one). */
  private readonly rotatedFrom = new Map<string, string>();
  /** Seconds an issued access token lives. */
  accessTokenLifetime = 3600;
  /** Access tokens issued (each refresh-token or client-credentials grant that succeeded). */
  tokensIssued = 0;
  /** Token endpoint calls, by grant type. */
  readonly tokenRequests: string[] = [];
  readonly jobs = new Map<string, DemoReportJob>();
  /** Polls before a new job completes. */
  pollsUntilDone = 2;
  /**
   * Jobs the platform fails once (`kind|accountId|startDate`, e.g. `amazon|1001|2026-02-01`): the
   * first job created for the key ends failed, a job created again for it succeeds, as Meta's
   * and Microsoft's report jobs do.
   */
  readonly failJobsOnce = new Set<string>();
  /**
   * What the ad-account discovery endpoint lists per business (`/ads/v1/businesses/:id/adaccounts`),
   * when a test changes it (accounts opened or closed); default: the business's accounts, active,
   * and a closed one (see demo/discoveryRoutes.ts).
   */
  readonly adAccounts = new Map<string, { account_id: string; name: string; account_status: number }[]>();
  /** The server's base URL, for the download links it hands out. */
  baseUrl = '';
  /** Percent of the quota each ad account has used, reported in X-Business-Use-Case-Usage (demo/metaUsage.ts). */
  readonly businessUseCaseUsage = new Map<string, number>();
  /** Report jobs of the paced routes (bench:extract), done a set time after creation. */
  readonly pacedJobs = new PacedJobs();

  constructor(readonly data: DemoDataset) {}

  isAccessTokenValid(token: string): boolean {
    const expires = this.accessTokens.get(token);
    return expires !== undefined && expires > Date.now();
  }

  /** Revokes every access token (the next API call answers 401). */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  rotateRefreshToken(used: string): string | undefined {
    if (!this.refreshTokens.has(used)) return undefined;
    const seed = DEMO_CREDENTIALS.demo_oauth!.refresh_token;
    if (this.refreshTokenGrace) {
      // The new token reached its client: the one it replaced is no longer needed.
      const parent = this.rotatedFrom.get(used);
      if (parent !== undefined && parent !== seed) this.refreshTokens.delete(parent);
    } else if (used !== seed) this.refreshTokens.delete(used);
    const next = `demo-refresh-${++this.refreshCounter}`;
    this.refreshTokens.add(next);
    this.rotatedFrom.set(next, used);
    return next;
  }

  issueAccessToken(): { access_token: string; expires_in: number; token_type: string } {
    const token = `demo-access-${++this.tokenCounter}-${this.data.seed}`;
    this.tokensIssued += 1;
    this.accessTokens.set(token, Date.now() + this.accessTokenLifetime * 1000);
    return { access_token: token, expires_in: this.accessTokenLifetime, token_type: 'bearer' };
  }

  createJob(
    kind: DemoReportJob['kind'],
    accountId: string,
    start: string,
    end: string,
  ): { job: DemoReportJob; duplicate: boolean } {
    const key = `${kind}|${accountId}|${start}|${end}`;
    // A failed job is over: creating the report again starts a new job, not a duplicate.
    const existing = [...this.jobs.values()].find(
      (job) => job.key === key && !job.failed && job.polls < job.pollsUntilDone,
    );
    if (existing) return { job: existing, duplicate: true };
    const job: DemoReportJob = {
      id: `${kind}-job-${this.jobs.size + 1}`,
      key,
      accountId,
      start,
      end,
      polls: 0,
      pollsUntilDone: this.pollsUntilDone,
      empty: accountId === 'EMPTY',
      failed: accountId === 'FAIL' || this.failJobsOnce.delete(`${kind}|${accountId}|${start}`),
      kind,
    };
    this.jobs.set(job.id, job);
    return { job, duplicate: false };
  }
}

function parseBody(text: string, contentType: string | string[] | undefined): Record<string, string> {
  if (String(contentType ?? '').includes('json')) return JSON.parse(text || '{}') as Record<string, string>;
  return Object.fromEntries(new URLSearchParams(text));
}

function tokenEndpoint(body: Record<string, string>, state: DemoState): DemoReply {
  const { client_id, client_secret } = DEMO_CREDENTIALS.demo_oauth!;
  state.tokenRequests.push(body.grant_type ?? '');
  if (body.client_id !== client_id || body.client_secret !== client_secret)
    return json({ error: 'invalid_client', error_description: 'unknown client or wrong secret' }, 401);
  if (body.grant_type === 'client_credentials') return json(state.issueAccessToken());
  if (body.grant_type !== 'refresh_token') return json({ error: 'unsupported_grant_type' }, 400);
  const next = state.rotateRefreshToken(body.refresh_token ?? '');
  if (!next) return json({ error: 'invalid_grant', error_description: 'refresh token revoked or unknown' }, 400);
  return json({ ...state.issueAccessToken(), refresh_token: next });
}

function pageNumber(
  items: unknown[],
  query: URLSearchParams,
): { rows: unknown[]; page: number; total_pages: number; total_rows: number } {
  const size = Math.max(1, Number(query.get('page_size') ?? 10));
  const page = Math.max(1, Number(query.get('page') ?? 1));
  return {
    rows: items.slice((page - 1) * size, page * size),
    page,
    total_pages: Math.ceil(items.length / size),
    total_rows: items.length,
  };
}

/** Routes that imitate real platforms: OAuth, other paging styles, async reports, SOAP. */
export const platformRoutes: DemoRoute[] = [
  {
    method: 'POST',
    pattern: /^\/oauth\/token$/,
    auth: 'none',
    handle: ({ body, headers, state }) => tokenEndpoint(parseBody(body, headers['content-type']), state),
  },
  {
    method: 'GET',
    pattern: /^\/oauth-api\/v1\/accounts\/(\d+)\/campaigns$/,
    auth: 'oauth',
    handle: ({ params, query, url, data }) =>
      data.account(params[0]!)
        ? json(cursorPage(data.campaigns(params[0]!), query, url))
        : notFound(`account ${params[0]}`),
  },
  {
    method: 'GET',
    pattern: /^\/basic\/v1\/accounts\/(\d+)\/campaigns$/,
    auth: 'basic',
    handle: ({ params, data }) => json({ data: data.campaigns(params[0]!) }),
  },
  {
    // Google-Ads-like: the next page is a full URL in the body.
    method: 'GET',
    pattern: /^\/ads\/v1\/accounts\/(\d+)\/campaigns-by-url$/,
    auth: 'bearer',
    handle: ({ params, query, url, data }) => {
      const page = cursorPage(data.campaigns(params[0]!), query, url, 2);
      return json({ results: page.data, next_page_url: page.paging.next ?? null });
    },
  },
  {
    // GitHub-style Link header paging.
    method: 'GET',
    pattern: /^\/ads\/v1\/accounts\/(\d+)\/campaigns-linked$/,
    auth: 'bearer',
    handle: ({ params, query, url, data }) => {
      const items = data.campaigns(params[0]!);
      const page = Math.max(1, Number(query.get('page') ?? 1));
      const size = 2;
      const headers: Record<string, string> = {};
      if (page * size < items.length) {
        const next = new URL(url);
        next.searchParams.set('page', String(page + 1));
        headers.link = `<${next.toString()}>; rel="next", <${url.toString()}>; rel="self"`;
      }
      return json(items.slice((page - 1) * size, page * size), 200, headers);
    },
  },
  {
    // GA4-like page numbers with totals; pages in the middle can be short.
    method: 'GET',
    pattern: /^\/analytics\/v1\/properties\/(\d+)\/campaign-stats$/,
    auth: 'bearer',
    handle: ({ params, query, data }) => {
      const result = pageNumber(data.campaigns(params[0]!), query);
      if (result.page === 1 && result.total_pages > 2) result.rows = result.rows.slice(0, 1); // a short page mid-stream
      return json(result);
    },
  },
  {
    // A broken API that hands back the same cursor forever.
    method: 'GET',
    pattern: /^\/ads\/v1\/looping$/,
    auth: 'bearer',
    handle: () => json({ data: [{ id: '1' }], paging: { cursors: { after: 'c2FtZQ' }, next: 'more' } }),
  },
  {
    method: 'GET',
    pattern: /^\/ads\/v1\/redirect-away$/,
    auth: 'bearer',
    handle: ({ baseUrl }) => ({
      status: 302,
      headers: { location: baseUrl.replace('127.0.0.1', 'localhost') + '/ads/v1/businesses/b100/accounts' },
      body: '',
    }),
  },
  {
    method: 'GET',
    pattern: /^\/ads\/v1\/redirect-home$/,
    auth: 'bearer',
    handle: ({ baseUrl }) => ({
      status: 302,
      headers: { location: `${baseUrl}/ads/v1/businesses/b100/accounts` },
      body: '',
    }),
  },
  {
    // Amazon-Ads-like async reports: create (JSON body) → poll → download a gzip of JSON.
    method: 'POST',
    pattern: /^\/amazon\/reporting\/reports$/,
    auth: 'oauth',
    handle: ({ body, state }) => {
      const request = JSON.parse(body || '{}') as { accountId?: string; startDate?: string; endDate?: string };
      if (!request.accountId || !request.startDate || !request.endDate)
        return json({ code: 'INVALID_ARGUMENT', detail: 'accountId, startDate and endDate are required' }, 400);
      const { job, duplicate } = state.createJob('amazon', request.accountId, request.startDate, request.endDate);
      // As Amazon answers: the pending report's id only inside the message text.
      if (duplicate) return json({ code: '425', detail: `The Request is a duplicate of : ${job.id}` }, 425);
      return json({ reportId: job.id, status: 'PENDING' });
    },
  },
  {
    method: 'GET',
    pattern: /^\/amazon\/reporting\/reports\/([\w-]+)$/,
    auth: 'oauth',
    handle: ({ params, state, baseUrl }) => {
      const job = state.jobs.get(params[0]!);
      if (!job) return notFound(`report ${params[0]}`);
      job.polls += 1;
      if (job.failed)
        return json({
          reportId: job.id,
          status: 'FAILED',
          failureReason: 'Report generation failed due to an internal error. Please retry. (demo)',
        });
      if (job.polls <= job.pollsUntilDone) {
        const percentComplete = Math.round((100 * (job.polls - 1)) / Math.max(1, job.pollsUntilDone));
        return json({ reportId: job.id, status: job.polls === 1 ? 'PENDING' : 'PROCESSING', percentComplete });
      }
      const expires = Date.now() + 60_000;
      return json({
        reportId: job.id,
        status: 'COMPLETED',
        url: job.empty ? null : `${baseUrl}/amazon/files/${job.id}.json.gz?expires=${expires}`,
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/amazon\/files\/([\w-]+)\.json\.gz$/,
    auth: 'none',
    handle: ({ params, query, headers, state, data }) => {
      const job = state.jobs.get(params[0]!);
      if (!job) return notFound(`file ${params[0]}`);
      // Like S3: a pre-signed URL carries its own signature; a second one is refused.
      if (headers.authorization !== undefined)
        return {
          status: 400,
          headers: { 'content-type': 'application/xml' },
          body: '<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message></Error>',
        };
      if (Number(query.get('expires')) < Date.now())
        return {
          status: 403,
          headers: { 'content-type': 'application/xml' },
          body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        };
      // Served as an opaque file: the content type does not say it is gzip, the bytes do.
      return {
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: gzipSync(JSON.stringify(reportRecords(data, job.accountId, job.start, job.end))),
      };
    },
  },
  ...soapRoutes,
];
