import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { clearOAuthTokenCache, refreshMarginMs } from '../../../services/extractor/auth/OAuthTokenAuth';
import type { SecretProvider } from '../../../shared/runtime/ServiceContext';
import type { ExtractorTestContext } from '../../support/extractorContext';
import { callApi, credentialStoreIn, oauthContext, seedCredentials } from './fixtures/oauthSource';

/** Issue 13 §4: the OAuth token endpoint under its real failure modes. */
describe('OAuth token endpoint', () => {
  let api: DemoApi;
  let dir: string;
  let store: Awaited<ReturnType<typeof credentialStoreIn>>;
  const contexts: ExtractorTestContext[] = [];
  const context = (secrets: SecretProvider = store.store, now?: () => Date) => {
    const env = oauthContext(secrets, now);
    contexts.push(env);
    return env;
  };

  beforeAll(async () => {
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
  });
  afterAll(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    clearOAuthTokenCache();
    api.faults.clear();
    api.state.accessTokenLifetime = 3600;
    api.state.refreshTokenGrace = false;
    api.state.tokenRequests.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'dif-oauth-'));
    store = await credentialStoreIn(dir);
    await seedCredentials(store.store);
  });
  afterEach(async () => {
    for (const env of contexts.splice(0)) await env.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('retries the token call like any call: 5xx, 429, a truncated body, {"error":"server_error"} inside a 200', async () => {
    const issuedBefore = api.state.tokensIssued;
    api.requests.length = 0;
    api.faults.add(
      { path: '/oauth/token', kind: 'status', status: 500 },
      { path: '/oauth/token', kind: 'status', status: 429, retryAfter: '0' },
      { path: '/oauth/token', kind: 'truncate' },
      { path: '/oauth/token', kind: 'error_in_200', body: '{"error":"server_error","error_description":"try later"}' },
    );
    expect(await callApi(context())).toBe(200);
    expect(api.requests.filter((request) => request.path === '/oauth/token').map((request) => request.status)).toEqual([
      500, 429, 200, 200, 200,
    ]);
    expect(api.state.tokensIssued - issuedBefore).toBe(2); // the truncated answer's token, and the one kept
    expect((await store.store.get('c', 'oauth')).refresh_token).toMatch(/^demo-refresh-\d+$/);
  });

  it('calls only invalid_grant / invalid_client answers credential errors, and only those say to check credentials', async () => {
    await store.store.rotate('c', 'oauth', { refresh_token: 'revoked-long-ago' });
    await expect(callApi(context())).rejects.toThrow(
      /authentication failed for c\/oauth token endpoint .*invalid_grant.*Check the credentials stored/,
    );
    clearOAuthTokenCache();
    await seedCredentials(store.store);
    api.faults.add({
      path: '/oauth/token',
      kind: 'status',
      status: 400,
      body: '{"error":"invalid_scope","error_description":"scope reports is unknown"}',
    });
    const error = await callApi(context()).then(
      () => new Error('the token call should have failed'),
      (caught: unknown) => caught as Error,
    );
    expect(error.message).toMatch(
      /HTTP 400 .*invalid_scope.* check the auth block: token_url, body \(form or json\) and scope/,
    );
    expect(error.message).not.toMatch(/credentials/i);
  });

  it('reuses a 20 s token until half its lifetime is left: 16 calls over 16 s refresh twice, not 16 times', async () => {
    api.state.accessTokenLifetime = 20;
    let clock = Date.now();
    const env = context(store.store, () => new Date(clock));
    for (let call = 0; call < 16; call++) {
      expect(await callApi(env)).toBe(200);
      clock += 1_000;
    }
    expect(api.state.tokenRequests).toHaveLength(2);
    expect(refreshMarginMs(20_000)).toBe(10_000);
    expect(refreshMarginMs(3_600_000)).toBe(60_000);
  });

  it('shares one token with the other workers of the fleet through the credentials store', async () => {
    expect(await callApi(context())).toBe(200);
    // Another worker: a process of its own (no cached token), the same credentials store.
    clearOAuthTokenCache();
    expect(await callApi(context())).toBe(200);
    expect(api.state.tokenRequests).toHaveLength(1);
  });

  it('retries saving a rotated refresh token when the store fails, so the new token is never lost', async () => {
    let failures = 2;
    const flaky: SecretProvider = {
      get: (client, source, options) => store.store.get(client, source, options),
      rotate: async (client, source, changes) => {
        if (failures-- > 0) throw new Error('database is locked');
        await store.store.rotate(client, source, changes);
      },
    };
    expect(await callApi(context(flaky))).toBe(200);
    const saved = await store.store.get('c', 'oauth');
    expect(api.state.refreshTokens.has(saved.refresh_token!)).toBe(true);
    expect(saved.refresh_token_previous).toBe('demo-refresh-0');
  });

  it('when saving keeps failing, fails the item loudly and saves the kept token before the next token request', async () => {
    let storeDown = true;
    const flaky: SecretProvider = {
      get: (client, source, options) => store.store.get(client, source, options),
      rotate: async (client, source, changes) => {
        if (storeDown) throw new Error('database is locked');
        await store.store.rotate(client, source, changes);
      },
    };
    const env = context(flaky);
    await expect(callApi(env)).rejects.toThrow(
      /c\/oauth: the token endpoint issued a new refresh token but saving it to the credentials store failed 5 times \(database is locked\)/,
    );
    expect((await store.store.get('c', 'oauth')).refresh_token).toBe('demo-refresh-0');
    storeDown = false;
    expect(await callApi(env)).toBe(200);
    // The kept token was saved first, and its access token used: no second token request.
    expect(api.state.tokenRequests).toHaveLength(1);
    const saved = await store.store.get('c', 'oauth');
    expect(saved.refresh_token).not.toBe('demo-refresh-0');
    expect(api.state.refreshTokens.has(saved.refresh_token!)).toBe(true);
  }, 30_000);

  it('falls back once to the refresh token it replaced when the provider lost its own rotation', async () => {
    expect(await callApi(context())).toBe(200);
    const saved = await store.store.get('c', 'oauth');
    // The provider answered, then rolled its rotation back: the new token is unknown to it.
    api.state.refreshTokens.delete(saved.refresh_token!);
    await store.store.rotate('c', 'oauth', { oauth_access_token_refresh_after: '0' });
    clearOAuthTokenCache();
    expect(await callApi(context())).toBe(200);
    const after = await store.store.get('c', 'oauth');
    expect(after.refresh_token_previous).toBe(saved.refresh_token_previous);
    expect(api.state.refreshTokens.has(after.refresh_token!)).toBe(true);
  });

  /** Runs a worker that is SIGKILLed between the token answer and the store, then a plain next run. */
  async function crashThenRun(): Promise<number> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/refreshThenCrash.ts', import.meta.url)), api.url, dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, sig) => resolve(sig)),
    );
    expect(signal).toBe('SIGKILL');
    // The endpoint did rotate: it issued a token the dead worker never saved.
    expect(api.state.tokenRequests).toEqual(['refresh_token']);
    clearOAuthTokenCache();
    return callApi(context());
  }

  it('a worker killed between the token answer and the store: the next run still has a working refresh token (rotation with grace)', async () => {
    api.state.refreshTokenGrace = true;
    await store.store.put('c', 'oauth', { ...(await store.store.get('c', 'oauth')), refresh_token: 'demo-refresh-0' });
    expect(await crashThenRun()).toBe(200);
    const saved = await store.store.get('c', 'oauth');
    expect(api.state.refreshTokens.has(saved.refresh_token!)).toBe(true);
  }, 30_000);

  it('under strict rotation the same crash leaves a revoked token, and the next run says so and what to do', async () => {
    api.state.refreshTokenGrace = false;
    const forceRefresh = async () => {
      await store.store.rotate('c', 'oauth', { oauth_access_token_refresh_after: '0' });
      clearOAuthTokenCache();
    };
    // Two rotations first, so that neither the stored token nor the one before it is the demo's
    // seed token (which never expires, so that every demo client can start its own chain).
    expect(await callApi(context())).toBe(200);
    await forceRefresh();
    expect(await callApi(context())).toBe(200);
    await forceRefresh();
    api.state.tokenRequests.length = 0;
    await expect(crashThenRun()).rejects.toThrow(
      /invalid_grant.*Check the credentials stored for this client and source/,
    );
  }, 30_000);
});
