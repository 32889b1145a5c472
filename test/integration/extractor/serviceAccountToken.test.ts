import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { openSession } from '../../../services/extractor/openSession';
import { planRun } from '../../../services/runs/plan';
import type { OpenResponse } from '../../../services/extractor/http/types';
import { configFrom, extractorContext, MemorySecrets, type ExtractorTestContext } from '../../support/extractorContext';
import { GoogleTokenEndpoint } from '../../catalog/fixtures/googleTokenEndpoint';

const SCOPE = 'https://www.googleapis.com/auth/analytics.readonly';
const EMAIL = 'dif-reader@acme-analytics.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The fields of a service account's JSON key file, as `dif credentials put --file key.json` stores them. */
const keyFile = (pem = PEM, tokenUri = 'https://oauth2.googleapis.com/token'): Record<string, string> => ({
  type: 'service_account',
  project_id: 'acme-analytics',
  private_key_id: 'k-1',
  private_key: pem,
  client_email: EMAIL,
  client_id: '1234567890',
  token_uri: tokenUri,
});

/** Issue 19 §auth: Google's service-account JWT grant against a token endpoint that checks it. */
describe('google_service_account auth', () => {
  let server: Server;
  let base: string;
  let endpoint: GoogleTokenEndpoint;
  let apiCalls: { authorization: string | undefined; status: number }[];
  let tokenFaults: number[];
  let seenPaths: string[];
  const contexts: ExtractorTestContext[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        if (request.url === '/token' && request.method === 'POST') {
          const fault = tokenFaults.shift();
          if (fault !== undefined) {
            response.statusCode = fault;
            response.end('{"error":"internal_failure"}');
            return;
          }
          const answer = endpoint.answer(Buffer.concat(chunks).toString('utf8'));
          response.statusCode = answer.status;
          response.end(JSON.stringify(answer.body));
          return;
        }
        seenPaths.push(request.url ?? '');
        const status = endpoint.accepts(request.headers.authorization) ? 200 : 401;
        apiCalls.push({ authorization: request.headers.authorization, status });
        response.statusCode = status;
        response.end(status === 200 ? '{"rows":[]}' : '{"error":{"code":401,"status":"UNAUTHENTICATED"}}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    clearOAuthTokenCache();
    apiCalls = [];
    seenPaths = [];
    tokenFaults = [];
    endpoint = new GoogleTokenEndpoint({
      audience: () => `${base}/token`,
      serviceAccount: { clientEmail: EMAIL, publicKey, keyId: 'k-1' },
      scope: SCOPE,
    });
  });
  afterEach(async () => {
    for (const env of contexts.splice(0)) await env.close();
  });

  /** A source whose auth block is the catalog's GA4 one, the token URL read from the key file. */
  function context(secrets: Record<string, string>, authExtra = '', sourceExtra = ''): ExtractorTestContext {
    const source = `name: ga
base_url: ${base}/v1beta
${sourceExtra}auth:
  type: google_service_account
  token_url: ${base}/token
  scope: ${SCOPE}
${authExtra}retry: { base_delay: 5ms, max_delay: 20ms }
streams:
  report:
    request: { path: /report }
    records: $.rows
    columns: { id: varchar(32) }
    load: { table: report }
`;
    const config = configFrom({ sources: { ga: source }, clients: { c: 'client: c\nsources:\n  ga: {}\n' } });
    const env = extractorContext(config, { secrets: new MemorySecrets({ ga: secrets }) });
    contexts.push(env);
    return env;
  }

  async function call(env: ExtractorTestContext): Promise<number> {
    const [item] = planRun(env.ctx, { runId: 'r' });
    const session = await openSession(env.ctx, item!);
    return session.http.exchange(
      { method: 'GET', url: `${base}/v1beta/report`, headers: {} },
      async (response: OpenResponse) => {
        for await (const _chunk of response.body) void _chunk;
        return response.status;
      },
    );
  }

  it('signs an RS256 JWT whose iss, scope, aud, iat and exp the endpoint verifies, and reuses the token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const env = context(keyFile());
    expect(await call(env)).toBe(200);
    expect(await call(env)).toBe(200);
    expect(endpoint.requests).toHaveLength(1);
    const [seen] = endpoint.requests;
    expect(seen!.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k-1' });
    expect(seen!.claims).toMatchObject({ iss: EMAIL, scope: SCOPE, aud: `${base}/token` });
    const { iat, exp } = seen!.claims as { iat: number; exp: number };
    expect(iat).toBeGreaterThanOrEqual(before);
    expect(exp - iat).toBe(3600);
    expect(apiCalls.map((c) => c.status)).toEqual([200, 200]);
    expect(endpoint.accepts(apiCalls[0]!.authorization)).toBe(true);
    // The token is shared with the fleet through the credentials store, like OAuth tokens.
    expect(env.secrets.rotations.at(-1)?.changes.oauth_access_token).toBe(apiCalls[0]!.authorization!.slice(7));
  });

  it('retries a failing token endpoint and fetches a new token when the API says 401', async () => {
    tokenFaults.push(503);
    const env = context(keyFile());
    expect(await call(env)).toBe(200);
    expect(endpoint.requests).toHaveLength(1);
    endpoint.issued.clear(); // the API forgets the token: its next call answers 401
    expect(await call(env)).toBe(200);
    expect(endpoint.requests).toHaveLength(2);
    expect(apiCalls.map((c) => c.status)).toEqual([200, 401, 200]);
  });

  it('sends sub for domain-wide delegation and takes a key pasted with literal \\n escapes', async () => {
    const escaped = PEM.replace(/\n/g, '\\n');
    const env = context(keyFile(escaped), '  subject: analyst@acme.example\n');
    expect(await call(env)).toBe(200);
    expect(endpoint.requests[0]!.claims).toMatchObject({ sub: 'analyst@acme.example' });
  });

  it('names the credential and what to do when the private key is malformed, before any token request', async () => {
    const truncated = PEM.slice(0, 200) + '\n-----END PRIVATE KEY-----\n';
    for (const [pem, what] of [
      [truncated, /is not a readable PEM private key/],
      ['k-1', /has no "-----BEGIN PRIVATE KEY-----" line/],
      [publicKey.export({ type: 'spki', format: 'pem' }).toString(), /has no "-----BEGIN PRIVATE KEY-----" line/],
    ] as const) {
      clearOAuthTokenCache();
      const error = (await call(context(keyFile(pem))).catch((caught: Error) => caught)) as Error;
      expect(error.message).toMatch(
        /authentication failed for c\/ga \(google_service_account\): the credential "private_key"/,
      );
      expect(error.message).toMatch(what);
      expect(error.message).toMatch(/dif credentials put --file key\.json/);
      expect(error.message).not.toContain(PEM.slice(40, 100));
    }
    expect(endpoint.requests).toHaveLength(0);
  });

  it('calls a key the endpoint cannot verify a credential error', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const error = (await call(context(keyFile(other.toString()))).catch((caught: Error) => caught)) as Error;
    expect(error.message).toMatch(
      /authentication failed for c\/ga token endpoint .*invalid_grant Invalid JWT Signature.*Check the credentials stored/,
    );
  });

  it("always allows base_url's host (a replay or proxy) beside the platform hosts allowed_hosts lists", async () => {
    const env = context(keyFile(), '', 'allowed_hosts: [oauth2.googleapis.com]\n');
    expect(await call(env)).toBe(200);
  });

  it("sends the assertion to the source's token_url, never to the token_uri a key file names", async () => {
    const env = context(keyFile(PEM, `${base}/elsewhere`));
    expect(await call(env)).toBe(200);
    expect(endpoint.requests).toHaveLength(1);
    expect(seenPaths).not.toContain('/elsewhere');
  });
});
