/**
 * Issue 16 §8: one login for several clients. Clients that reference a shared credential
 * (`credentials: { ref: agency }`) read, refresh and rotate one stored record under one lock,
 * so under strict refresh-token rotation no client is ever left holding a revoked copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { DEMO_CREDENTIALS } from '../../../demo/credentials';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { openSession } from '../../../services/extractor/openSession';
import { planRun } from '../../../services/runs/plan';
import type { OpenResponse } from '../../../services/extractor/http/types';
import { sharedCredentialKey } from '../../../shared/config/credentialKey';
import {
  configFrom,
  extractorContext,
  type ExtractorTestContext,
  type MemorySecrets,
} from '../../support/extractorContext';
import { credentialStoreIn, OAUTH_SOURCE } from './fixtures/oauthSource';

const SHARED = sharedCredentialKey('agency');
const CLIENT = (name: string) => `client: ${name}\nsources:\n  oauth: { credentials: { ref: agency } }\n`;

describe('shared credentials', () => {
  let api: DemoApi;
  let dir: string;
  let store: Awaited<ReturnType<typeof credentialStoreIn>>;
  let env: ExtractorTestContext;

  /** One authenticated call as `client`'s work item; resolves with the status. */
  const callAs = async (client: string): Promise<number> => {
    const [item] = planRun(env.ctx, { runId: 'r', client });
    const session = await openSession(env.ctx, item!);
    const url = `${process.env.DIF_DEMO_API_URL}/oauth-api/v1/accounts/1001/campaigns`;
    return session.http.exchange({ method: 'GET', url, headers: {} }, async (response: OpenResponse) => {
      for await (const _chunk of response.body) void _chunk;
      return response.status;
    });
  };
  /** Another worker after the access token expired: nothing cached, the stored token stale. */
  const expireAccessToken = async () => {
    await store.store.rotate(SHARED.client, SHARED.source, { oauth_access_token_refresh_after: '0' });
    clearOAuthTokenCache();
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
    api.state.refreshTokenGrace = false;
    api.state.tokenRequests.length = 0;
    dir = mkdtempSync(join(tmpdir(), 'dif-shared-cred-'));
    store = await credentialStoreIn(dir);
    await store.store.put(SHARED.client, SHARED.source, DEMO_CREDENTIALS.demo_oauth!);
    const config = configFrom({ sources: { oauth: OAUTH_SOURCE }, clients: { a: CLIENT('a'), b: CLIENT('b') } });
    env = extractorContext(config, { secrets: store.store as unknown as MemorySecrets });
  });
  afterEach(async () => {
    await env.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refreshes once for both clients under one lock, and rotates the one stored token under strict rotation', async () => {
    // Both clients at once: the second waits on the same lock and uses the token the first got.
    expect(await Promise.all([callAs('a'), callAs('b')])).toEqual([200, 200]);
    expect(api.state.tokenRequests).toHaveLength(1);
    // Each refresh rotates the refresh token (the used one is revoked); the other client uses the new one.
    for (const client of ['b', 'a', 'b', 'a']) {
      await expireAccessToken();
      expect(await callAs(client)).toBe(200);
    }
    expect(api.state.tokenRequests).toHaveLength(5);
    const stored = await store.store.get(SHARED.client, SHARED.source);
    expect(stored.refresh_token).not.toBe(DEMO_CREDENTIALS.demo_oauth!.refresh_token);
    expect(api.state.refreshTokens.has(stored.refresh_token!)).toBe(true);
    // Nothing was copied per client: one record holds the login.
    expect((await store.store.list()).map((meta) => `${meta.client}/${meta.source}`)).toEqual(['@shared/agency']);
  });

  it('says which shared credential is missing and how to store it', async () => {
    await store.store.delete(SHARED.client, SHARED.source);
    await expect(callAs('a')).rejects.toThrow(
      'no shared credentials "agency" stored; add them with `dif credentials put --shared agency --file creds.json`',
    );
  });

  it('names the shared credential when the provider refuses it', async () => {
    await store.store.rotate(SHARED.client, SHARED.source, { refresh_token: 'revoked-long-ago' });
    await expect(callAs('b')).rejects.toThrow(
      /authentication failed for shared credentials "agency" token endpoint .*invalid_grant.*dif credentials put --shared agency/,
    );
  });
});
