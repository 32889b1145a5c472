import got from 'got';
import { registerSecrets } from '../../../shared/log/secretRedactor';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { AuthFailedError } from '../errors';
import type { HostAllowList } from '../http/allowedHosts';
import type { AuthHook, AuthTarget } from '../http/types';
import type { AuthConfig } from './staticAuth';

type OAuthConfig = Extract<AuthConfig, { type: 'oauth2_refresh_token' | 'oauth2_client_credentials' }>;

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token is refreshed (a minute before it expires). */
  refreshAfter: number;
}

/** Access tokens by client/source, shared by the extractions of one process until they expire. */
const tokenCache = new Map<string, CachedToken>();

/** Forgets cached access tokens (tests). */
export function clearOAuthTokenCache(): void {
  tokenCache.clear();
}

/**
 * OAuth 2 (refresh-token or client-credentials grant). The access token is cached until a
 * minute before it expires; a 401 refreshes it once. A refresh happens under a lock per
 * credential, and a rotated refresh token returned by the endpoint is saved through the
 * credentials store before it is used, so no worker is left holding a revoked one.
 */
export class OAuthTokenAuth implements AuthHook {
  private readonly cacheKey: string;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly client: string,
    private readonly source: string,
    private readonly config: OAuthConfig,
    private readonly scope: TemplateScope,
    private readonly allowList: HostAllowList,
  ) {
    this.cacheKey = `${client}/${source}`;
  }

  async apply(target: AuthTarget): Promise<void> {
    const cached = tokenCache.get(this.cacheKey);
    const token =
      cached && cached.refreshAfter > this.ctx.now().getTime()
        ? cached.accessToken
        : await this.fetchToken(cached?.accessToken);
    target.headers.authorization = `Bearer ${token}`;
  }

  async refresh(): Promise<boolean> {
    await this.fetchToken(tokenCache.get(this.cacheKey)?.accessToken);
    return true;
  }

  /** Gets a new access token unless another caller already replaced `stale` while we waited. */
  private async fetchToken(stale: string | undefined): Promise<string> {
    return this.ctx.ports.locks.withLock(`oauth:${this.cacheKey}`, async () => {
      const current = tokenCache.get(this.cacheKey);
      if (current && current.accessToken !== stale && current.refreshAfter > this.ctx.now().getTime())
        return current.accessToken;
      // Re-read the secrets inside the lock: another worker may have rotated the refresh token.
      const secrets = await this.ctx.secrets.get(this.client, this.source);
      const scope = { ...this.scope, secrets };
      const tokenUrl = renderTemplate(this.config.token_url, scope);
      this.allowList.check(tokenUrl);
      const fields: Record<string, string> = {
        grant_type: this.config.type === 'oauth2_refresh_token' ? 'refresh_token' : 'client_credentials',
        client_id: renderTemplate(this.config.client_id, scope),
        client_secret: renderTemplate(this.config.client_secret, scope),
      };
      if (this.config.type === 'oauth2_refresh_token')
        fields.refresh_token = renderTemplate(this.config.refresh_token, scope);
      if (this.config.scope) fields.scope = this.config.scope;
      const response = await got.post(tokenUrl, {
        ...(this.config.body === 'json' ? { json: fields } : { form: fields }),
        throwHttpErrors: false,
        retry: { limit: 2, methods: ['POST'] },
        timeout: { request: 30_000 },
        followRedirect: false,
      });
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(response.body) as Record<string, unknown>;
      } catch {
        // Reported below with the status.
      }
      if (response.statusCode !== 200 || typeof body.access_token !== 'string') {
        throw new AuthFailedError(
          `${this.client}/${this.source} token endpoint ${new URL(tokenUrl).origin}${new URL(tokenUrl).pathname}`,
          `HTTP ${response.statusCode} ${String(body.error ?? '')} ${String(body.error_description ?? '')}`.trim(),
        );
      }
      const accessToken = body.access_token;
      registerSecrets([accessToken]);
      if (typeof body.refresh_token === 'string' && body.refresh_token !== fields.refresh_token) {
        registerSecrets([body.refresh_token]);
        await this.ctx.secrets.rotate(this.client, this.source, { refresh_token: body.refresh_token });
      }
      const lifetimeMs =
        (typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600)) * 1000;
      tokenCache.set(this.cacheKey, {
        accessToken,
        refreshAfter: this.ctx.now().getTime() + Math.max(0, lifetimeMs - 60_000),
      });
      return accessToken;
    });
  }
}
