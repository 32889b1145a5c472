/**
 * Issue 19 (Meta catalog): Meta answers its rate limits with HTTP 400 and an error envelope
 * (`{"error":{"code":17,…}}`), the same status as a bad parameter (code 100). On the statuses a
 * source lists in `retry.envelope_statuses`, its retryable `error_when` predicates decide: a
 * transient envelope is retried, anything else still fails at once; other statuses are untouched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../services/extractor/http/HttpClient';
import { HostAllowList } from '../../../services/extractor/http/allowedHosts';
import { isTransientErrorBody } from '../../../services/extractor/errorPredicates';
import { HttpStatusError } from '../../../services/extractor/errors';
import type { OpenResponse } from '../../../services/extractor/http/types';
import { retry } from '../../../shared/config/schema/retry';

const { error_when: predicates } = retry.parse({
  error_when: [
    { path: '$.error.code', in: [4, 17, 80000] },
    { path: '$.error.code', exists: true, retryable: false },
  ],
});

/** Answers each path with its queued bodies (status, body), then 200. */
const queued = new Map<string, [number, string][]>();
const hits = new Map<string, number>();
let server: Server;
let base: string;

const drain = async (response: OpenResponse) => {
  for await (const _chunk of response.body) void _chunk;
  return response.status;
};

function client(transient: boolean): HttpClient {
  return new HttpClient({
    allowList: new HostAllowList(['127.0.0.1']),
    auth: { apply: async () => undefined },
    timeoutMs: 2_000,
    retry: {
      statuses: [500],
      maxAttempts: 3,
      baseDelayMs: 1,
      maxDelayMs: 1,
      ...(transient
        ? { envelopeStatuses: [400], transientBody: (body: Buffer) => isTransientErrorBody(body, predicates) }
        : {}),
    },
    redact: (text) => text,
  });
}

describe('error envelopes on error statuses', () => {
  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = request.url ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const [status, body] = queued.get(path)?.shift() ?? [200, '{"data":[]}'];
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries a 400 whose envelope a retryable predicate matches (Meta code 17)', async () => {
    queued.set('/throttled', [[400, '{"error":{"message":"(#17) User request limit reached","code":17}}']]);
    expect(await client(true).exchange({ method: 'GET', url: `${base}/throttled`, headers: {} }, drain)).toBe(200);
    expect(hits.get('/throttled')).toBe(2);
  });

  it('fails a 400 whose envelope matches a non-retryable predicate at once, quoting it', async () => {
    queued.set('/bad', [[400, '{"error":{"message":"(#100) Invalid parameter","code":100}}']]);
    const failure = client(true).exchange({ method: 'GET', url: `${base}/bad`, headers: {} }, drain);
    await expect(failure).rejects.toThrow(HttpStatusError);
    await expect(failure).rejects.toThrow(/Invalid parameter/);
    expect(hits.get('/bad')).toBe(1);
  });

  it('reads only the envelopes of the statuses listed in envelope_statuses (a 404 fails at once)', async () => {
    queued.set('/gone', [[404, '{"error":{"message":"(#17) User request limit reached","code":17}}']]);
    await expect(client(true).exchange({ method: 'GET', url: `${base}/gone`, headers: {} }, drain)).rejects.toThrow(
      HttpStatusError,
    );
    expect(hits.get('/gone')).toBe(1);
  });

  it('without envelope_statuses a 400 is never retried, whatever its body', async () => {
    queued.set('/plain', [[400, '{"error":{"code":17}}']]);
    await expect(client(false).exchange({ method: 'GET', url: `${base}/plain`, headers: {} }, drain)).rejects.toThrow(
      HttpStatusError,
    );
    expect(hits.get('/plain')).toBe(1);
  });

  it('reads only JSON or XML envelopes; other bodies are not transient', () => {
    expect(isTransientErrorBody(Buffer.from('{"error":{"code":80000}}'), predicates)).toBe(true);
    expect(isTransientErrorBody(Buffer.from('{"error":{"code":190}}'), predicates)).toBe(false);
    expect(isTransientErrorBody(Buffer.from('<html>busy</html>'), predicates)).toBe(false);
    expect(isTransientErrorBody(Buffer.from('{"ok":true}'), predicates)).toBe(false);
  });
});
