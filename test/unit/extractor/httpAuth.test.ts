import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../services/extractor/http/HttpClient';
import { HostAllowList } from '../../../services/extractor/http/allowedHosts';
import type { HttpRequest, OpenResponse } from '../../../services/extractor/http/types';

/** What the server saw, per request path. */
const seen = new Map<string, IncomingHttpHeaders>();
let server: Server;
let base: string;

const drain = async (response: OpenResponse) => {
  for await (const _chunk of response.body) void _chunk;
  return response.status;
};

function client(): HttpClient {
  return new HttpClient({
    allowList: new HostAllowList(['127.0.0.1']),
    auth: { apply: async (target) => void (target.headers.authorization = 'Bearer token-value-123') },
    timeoutMs: 2_000,
    retry: { statuses: [], maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    redact: (text) => text,
  });
}

describe('HttpClient credentials', () => {
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.set(request.url ?? '', request.headers);
      request.resume();
      request.once('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('adds the source credentials to API requests', async () => {
    const request: HttpRequest = { method: 'GET', url: `${base}/api/report`, headers: {} };
    expect(await client().exchange(request, drain)).toBe(200);
    expect(seen.get('/api/report')?.authorization).toBe('Bearer token-value-123');
  });

  it('sends no credentials to a URL that carries its own signature (pre-signed download)', async () => {
    const request: HttpRequest = {
      method: 'GET',
      url: `${base}/files/report.gz?X-Amz-Signature=abc`,
      headers: {},
      withoutAuth: true,
    };
    expect(await client().exchange(request, drain)).toBe(200);
    expect(seen.get('/files/report.gz?X-Amz-Signature=abc')?.authorization).toBeUndefined();
  });

  it('sends a POST whose parameters are all in the query (a report create without a body) at once, empty', async () => {
    const request: HttpRequest = { method: 'POST', url: `${base}/reports?date=2026-01-01`, headers: {} };
    // Before: got waited for a body that never came, so the create hung until the item timed out.
    const status = await Promise.race([
      client().exchange(request, drain),
      new Promise((resolve) => setTimeout(() => resolve('no answer within 1.5 s'), 1_500)),
    ]);
    expect(status).toBe(200);
    expect(seen.get('/reports?date=2026-01-01')?.['content-length']).toBe('0');
  });
});
