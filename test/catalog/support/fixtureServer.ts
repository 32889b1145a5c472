import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fixture server answered, as it arrived (the raw query too: Rest.li reads it raw). */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The query string exactly as sent, undecoded. */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/** What a route gets: the request, parsed, and how to answer it. */
export interface FixtureExchange extends Omit<SeenRequest, 'status'> {
  /** The form fields of a form body, or the query of a GET. */
  form: URLSearchParams;
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  text(status: number, body: string, headers?: Record<string, string>): void;
  /** Records a broken expectation about the request (the test asserts there are none). */
  problem(message: string): void;
}

export type FixtureRoute = (exchange: FixtureExchange) => void | Promise<void>;

export interface FixtureServer {
  url: string;
  requests: SeenRequest[];
  /** Requests that broke what the platform's API reference says (wrong path, parameter, header). */
  problems: string[];
  close(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1 (a free port) that stands in for a platform's API in a replay
 * test: every request is recorded with its answer's status, and a route may note a problem with
 * the request, which the test asserts never happened. A route that throws answers 500 and is a
 * problem too, so a fixture bug cannot pass as a transient fault.
 */
export async function startFixtureServer(route: FixtureRoute): Promise<FixtureServer> {
  const requests: SeenRequest[] = [];
  const problems: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.url ?? '/';
      const url = new URL(target, 'http://fixture');
      const body = Buffer.concat(chunks).toString('utf8');
      const seen: SeenRequest = {
        method: request.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        rawQuery: target.includes('?') ? target.slice(target.indexOf('?') + 1) : '',
        headers: request.headers,
        body,
        status: 0,
      };
      requests.push(seen);
      const send = (status: number, text: string, headers: Record<string, string>) => {
        seen.status = status;
        answer(response, status, text, headers);
      };
      const isForm = String(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
      const exchange: FixtureExchange = {
        ...seen,
        form: isForm ? new URLSearchParams(body) : url.searchParams,
        json: (status, value, headers = {}) =>
          send(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers }),
        text: (status, text, headers = {}) => send(status, text, headers),
        problem: (message) => problems.push(`${seen.method} ${seen.path}: ${message}`),
      };
      Promise.resolve()
        .then(() => route(exchange))
        .catch((error: unknown) => {
          problems.push(`${seen.method} ${seen.path}: the fixture failed: ${String(error)}`);
          if (!response.headersSent) send(500, 'fixture error', {});
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function answer(response: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  response.writeHead(status, headers).end(text);
}

/**
 * Faults armed by name, each answered once: `take('campaigns')` is true the first time only, so
 * a fixture injects one transient failure per kind of call and the retry must get through.
 */
export class OneShotFaults {
  private readonly armed: Set<string>;
  readonly fired: string[] = [];

  constructor(names: readonly string[]) {
    this.armed = new Set(names);
  }

  take(name: string): boolean {
    if (!this.armed.delete(name)) return false;
    this.fired.push(name);
    return true;
  }
}
