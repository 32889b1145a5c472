import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CREDENTIALS } from './credentials';
import { DemoDataset } from './dataset';
import { FaultInjector, sendBody, type FaultRule } from './faults';
import { coreRoutes, json, type DemoAuthKind, type DemoReply, type DemoRoute } from './routes';
import { DemoState, platformRoutes } from './platformRoutes';
import { partnerFeedRoutes } from './partnerFeedRoutes';
import { oauthStatsRoutes } from './oauthStatsRoutes';
import { discoveryRoutes } from './discoveryRoutes';
import { tiktokRoutes } from './tiktokRoutes';
import { analyticsRoutes } from './analyticsRoutes';
import { scaleRoutes } from './scaleRoutes';
import { PLATFORM_FAILURES } from './platformFailures';
import { DemoApiLimits, type DemoApiLimitOptions } from './apiLimits';
import { pacedRoutes } from './pacedRoutes';

export interface DemoApiOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Seed of the data set; the same seed serves the same data. */
  seed?: number;
  faults?: FaultRule[];
  /**
   * Switches on {@link PLATFORM_FAILURES}: a report job that fails once and a slice whose 5xx
   * storm outlasts one run's retries. Off by default, so `npm start` succeeds on a first run.
   */
  platformFailures?: boolean;
  /**
   * Rate and concurrency limits enforced on every request (429 when exceeded, counted in
   * {@link DemoApi.limits}), with a processing time per request. Off by default.
   */
  limits?: DemoApiLimitOptions;
  /** How long a report job of the paced routes (demo/pacedRoutes.ts) runs before it is done (default 0). */
  reportJobMs?: number;
}

/** One request as the demo API saw it (tests assert on headers and call counts). */
export interface DemoRequestLogEntry {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  status?: number;
}

export interface DemoApi {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** The data the API serves, for computing expected warehouse totals. */
  groundTruth: DemoDataset;
  /** Add or clear faults while the server runs. */
  faults: FaultInjector;
  /** Every request received, in order. */
  requests: DemoRequestLogEntry[];
  /** Server-side state of tokens and report jobs (tests inspect rotations). */
  state: DemoState;
  /** The enforced limits and what they refused, when started with `limits`. */
  limits?: DemoApiLimits;
  close(): Promise<void>;
}

function authorized(kind: DemoAuthKind, request: IncomingMessage, url: URL, state: DemoState): boolean {
  const header = request.headers.authorization ?? '';
  switch (kind) {
    case 'none':
      return true;
    case 'bearer':
      return header === `Bearer ${DEMO_CREDENTIALS.demo_ads!.access_token}`;
    case 'api_key':
      return (
        request.headers['x-api-key'] === DEMO_CREDENTIALS.demo_reports!.api_key ||
        url.searchParams.get('api_key') === DEMO_CREDENTIALS.demo_reports!.api_key
      );
    case 'oauth':
      return header.startsWith('Bearer ') && state.isAccessTokenValid(header.slice(7));
    case 'basic': {
      const { username, password } = DEMO_CREDENTIALS.demo_basic!;
      return header === `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the sandbox marketing API on localhost. Data is deterministic (seeded); every route
 * needs the credentials in {@link DEMO_CREDENTIALS}; faults can be injected per path.
 *
 * @example
 * const api = await startDemoApi({ faults: [{ path: '/campaigns', kind: 'status', status: 503 }] });
 * process.env.DIF_DEMO_API_URL = api.url;
 * // … run the pipeline …
 * await api.close();
 */
export async function startDemoApi(options: DemoApiOptions = {}): Promise<DemoApi> {
  const data = new DemoDataset(options.seed ?? 42);
  const faults = new FaultInjector([
    ...(options.platformFailures ? PLATFORM_FAILURES.faults : []),
    ...(options.faults ?? []),
  ]);
  const state = new DemoState(data);
  if (options.platformFailures) PLATFORM_FAILURES.jobsFailingOnce.forEach((key) => state.failJobsOnce.add(key));
  state.pacedJobs.durationMs = options.reportJobMs ?? 0;
  const limits = options.limits ? new DemoApiLimits(options.limits) : undefined;
  const routes: DemoRoute[] = [
    ...coreRoutes,
    ...platformRoutes,
    ...partnerFeedRoutes,
    ...oauthStatsRoutes,
    ...discoveryRoutes,
    ...tiktokRoutes,
    ...analyticsRoutes,
    ...scaleRoutes,
    ...pacedRoutes,
  ];
  const requests: DemoRequestLogEntry[] = [];
  let baseUrl = '';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', baseUrl);
    const entry: DemoRequestLogEntry = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      headers: request.headers,
    };
    requests.push(entry);
    const body = await readBody(request);
    if (limits) {
      const refusal = limits.admit();
      if (refusal) {
        entry.status = refusal.status;
        sendBody(response, refusal.status, refusal.headers ?? {}, refusal.body, undefined);
        return;
      }
      let released = false;
      const release = (): void => {
        if (!released) limits.release();
        released = true;
      };
      // 'finish': the answer is written; 'close' alone: the client went away first.
      response.once('finish', release).once('close', release);
      await limits.process();
    }
    const fault = faults.match(url.pathname, { method: request.method, query: url.search });
    if (fault && (await faults.apply(fault, response, request))) {
      entry.status =
        fault.kind === 'status' || fault.kind === 'echo_credentials'
          ? fault.status
          : fault.kind === 'error_in_200'
            ? 200
            : 0;
      return;
    }
    let reply: DemoReply;
    const route = routes.find(
      (candidate) => candidate.method === request.method && candidate.pattern.test(url.pathname),
    );
    if (!route) reply = json({ error: { code: 100, message: `no route ${request.method} ${url.pathname}` } }, 404);
    else if (!authorized(route.auth, request, url, state))
      reply = json({ error: { code: 190, message: 'invalid or expired credentials' } }, 401);
    else {
      const params = route.pattern.exec(url.pathname)!.slice(1);
      reply = await route.handle({
        params,
        query: url.searchParams,
        url,
        body,
        headers: request.headers,
        data,
        state,
        baseUrl,
      });
    }
    entry.status = reply.status;
    sendBody(response, reply.status, reply.headers ?? {}, reply.body, fault);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.baseUrl = baseUrl;
  return {
    url: baseUrl,
    groundTruth: data,
    faults,
    requests,
    state,
    ...(limits ? { limits } : {}),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
