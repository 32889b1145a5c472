import type { DemoDataset } from './dataset';
import { toCsv } from './csv';
import type { DemoState } from './platformRoutes';
import { metaUsageHeaders } from './metaUsage';

/** What a route answers; the server adds content-length and applies faults. */
export interface DemoReply {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export interface DemoRouteContext {
  params: string[];
  query: URLSearchParams;
  url: URL;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  data: DemoDataset;
  state: DemoState;
  /** The server's own base URL, for links it hands out. */
  baseUrl: string;
}

/** The credential kind a route requires (see demo/credentials.ts). */
export type DemoAuthKind = 'bearer' | 'api_key' | 'oauth' | 'basic' | 'none';

export interface DemoRoute {
  method: 'GET' | 'POST';
  pattern: RegExp;
  auth: DemoAuthKind;
  handle(context: DemoRouteContext): DemoReply | Promise<DemoReply>;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): DemoReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function notFound(what: string): DemoReply {
  return json({ error: { code: 100, message: `${what} not found` } }, 404);
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const value = Number(query.get(name) ?? fallback);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

function requireDates(query: URLSearchParams, from: string, to: string): [string, string] | DemoReply {
  const since = query.get(from);
  const until = query.get(to);
  const iso = /^\d{4}-\d{2}-\d{2}$/;
  if (!since || !until || !iso.test(since) || !iso.test(until))
    return json({ error: { code: 100, message: `${from} and ${to} must be YYYY-MM-DD` } }, 400);
  return [since, until];
}

/** Cursor paging over a list: the cursor is the base64 of the next index. */
export function cursorPage<T>(
  items: T[],
  query: URLSearchParams,
  url: URL,
  defaultLimit = 25,
): { data: T[]; paging: Record<string, unknown> } {
  const limit = Math.max(1, intParam(query, 'limit', defaultLimit));
  const after = query.get('after');
  const start = after ? Number(Buffer.from(after, 'base64url').toString()) : 0;
  const data = items.slice(start, start + limit);
  const end = start + data.length;
  const cursor = Buffer.from(String(end)).toString('base64url');
  const paging: Record<string, unknown> = {
    cursors: { before: Buffer.from(String(start)).toString('base64url'), after: cursor },
  };
  if (end < items.length) {
    const next = new URL(url);
    next.searchParams.set('after', cursor);
    paging.next = next.toString();
  }
  return { data, paging };
}

/** The routes of the walking skeleton: accounts, campaigns, campaign stats and a CSV report. */
export const coreRoutes: DemoRoute[] = [
  {
    method: 'GET',
    pattern: /^\/ads\/v1\/businesses\/([\w-]+)\/accounts$/,
    auth: 'bearer',
    handle: ({ params, query, data }) => {
      const accounts = data.accounts(params[0]!);
      if (!accounts) return notFound(`business ${params[0]}`);
      const offset = intParam(query, 'offset', 0);
      const limit = Math.max(1, intParam(query, 'limit', 100));
      return json({ data: accounts.slice(offset, offset + limit), total: accounts.length });
    },
  },
  {
    method: 'GET',
    pattern: /^\/ads\/v1\/accounts\/(\d+)\/campaigns$/,
    auth: 'bearer',
    handle: ({ params, query, url, data, state }) => {
      if (!data.account(params[0]!)) return notFound(`account ${params[0]}`);
      return json(cursorPage(data.campaigns(params[0]!), query, url), 200, metaUsageHeaders(state, params[0]!));
    },
  },
  {
    method: 'GET',
    pattern: /^\/ads\/v1\/campaigns\/(\d+)\/stats$/,
    auth: 'bearer',
    handle: ({ params, query, url, data, state }) => {
      const campaign = data.campaign(params[0]!);
      if (!campaign) return notFound(`campaign ${params[0]}`);
      const dates = requireDates(query, 'since', 'until');
      if (!Array.isArray(dates)) return dates;
      const stats = data
        .dailyStats(params[0]!, dates[0], dates[1])
        .map((stat) => ({ ...stat, actions: data.dailyActions(params[0]!, stat) }));
      return json(cursorPage(stats, query, url, 7), 200, metaUsageHeaders(state, campaign.account_id));
    },
  },
  {
    method: 'GET',
    pattern: /^\/reports\/v1\/advertisers\/([\w-]+)\/daily\.csv$/,
    auth: 'api_key',
    handle: ({ params, query, data }) => {
      const dates = requireDates(query, 'start', 'end');
      if (!Array.isArray(dates)) return dates;
      const rows = data.reportRows(params[0]!, dates[0], dates[1]);
      const offset = intParam(query, 'offset', 0);
      const limit = Math.max(1, intParam(query, 'limit', 1000));
      const columns = ['date', 'advertiser_id', 'channel', 'sessions', 'conversions', 'revenue'];
      return {
        status: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8', 'x-total-count': String(rows.length) },
        body: toCsv(columns, rows.slice(offset, offset + limit) as unknown as Record<string, unknown>[]),
      };
    },
  },
];
