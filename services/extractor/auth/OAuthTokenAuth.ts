import { logger } from '../../../shared/log/logger';
import { registerSecrets } from '../../../shared/log/secretRedactor';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import { sharedRefOf } from '../../../shared/config/credentialKey';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { checkErrorPredicates, type ErrorPredicate } from '../errorPredicates';
import { AuthFailedError, BadResponseError, HttpStatusError, TokenStoreError } from '../errors';
import type { HttpClient } from '../http/HttpClient';
import { bufferedBody, pageContent, type BodyGuards } from '../http/pageBody';
import type { AuthHook, AuthTarget, HttpRequest, OpenResponse } from '../http/types';
import type { AuthConfig } from './staticAuth';
import { PrivateKeyFormatError, readServiceAccountKey, serviceAccountAssertion } from './serviceAccountAssertion';

type OAuthConfig = Extract<
  AuthConfig,
  { type: 'oauth2_refresh_token' | 'oauth2_client_credentials' | 'google_service_account' }
>;

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token is refreshed. */
  refreshAfter: number;
}

/** How the token endpoint is called: the source's retry policy, caps and error predicates. */
export interface TokenEndpoint {
  /** An HttpClient of the source without credentials (the grant carries them). */
  http: HttpClient;
  errorWhen: ErrorPredicate[];
  guards: BodyGuards;
  redact: (text: string) => string;
}

/** RFC 6749 §5.2 answers that mean the stored credentials themselves are wrong or revoked. */
const CREDENTIAL_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);
/** Answers that say the endpoint failed this time (sometimes inside a 200). */
const TRANSIENT_ERRORS = new Set(['server_error', 'temporarily_unavailable']);
/** Credential fields through which the workers of a fleet share one access token. */
const SHARED_TOKEN = 'oauth_access_token';
const SHARED_REFRESH_AFTER = 'oauth_access_token_refresh_after';
const STORE_ATTEMPTS = 5;
const STORE_BASE_DELAY_MS = 200;

/** Access tokens by client/source, shared by the extractions of one process until they expire. */
const tokenCache = new Map<string, CachedToken>();
/** Rotated credentials received but not yet stored (the store failed): saved before the next token request. */
const pendingStores = new Map<string, Record<string, string>>();

/** Forgets cached access tokens and unsaved rotations (tests; a new process starts like this). */
export function clearOAuthTokenCache(): void {
  tokenCache.clear();
  pendingStores.clear();
}

/**
 * How long before its expiry a token is replaced: a minute, or half its lifetime when it lives
 * less than two minutes, so a short-lived token is refreshed once per lifetime, not per request.
 *
 * @example
 * refreshMarginMs(3600_000); // 60_000
 * refreshMarginMs(20_000);   // 10_000
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 2);
}

/** The secret a `{{ secrets.NAME }}` template reads, so a rotated value is saved under its own name. */
function secretNameOf(template: string, fallback = 'refresh_token'): string {
  return /^\{\{\s*secrets\.(\w+)\s*\}\}$/.exec(template.trim())?.[1] ?? fallback;
}

/**
 * OAuth 2 (refresh-token, client-credentials or Google service-account JWT-bearer grant).
 *
 * - The token call goes through the source's HttpClient: its retry policy (5xx, 429, timeouts,
 *   truncated bodies), its caps, and its `error_when` predicates; `server_error` and
 *   `temporarily_unavailable` are retried even inside a 200. Only `invalid_grant`,
 *   `invalid_client` and `unauthorized_client` (or a 401) are credential errors.
 * - A token is reused until `min(60 s, lifetime / 2)` before it expires. It is stored
 *   (encrypted, with the credentials) and every refresh runs under a fleet-wide lock per
 *   credential, so the fleet refreshes once per lifetime: a worker that takes the lock after
 *   another refreshed uses the stored token.
 * - A rotated refresh token is saved (retried with backoff) before the new access token is
 *   used, together with the one it replaces as `NAME_previous`, tried once when the current one
 *   is refused (a provider that failed to commit its own rotation). If saving keeps failing, the
 *   item fails and this process keeps the token to save before its next token request.
 */
export class OAuthTokenAuth implements AuthHook {
  private readonly cacheKey: string;
  private readonly refreshName: string;
  private readonly sharedRef: string | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly client: string,
    private readonly source: string,
    private readonly config: OAuthConfig,
    private readonly scope: TemplateScope,
    private readonly endpoint: TokenEndpoint,
  ) {
    // Keyed by the stored credential: clients sharing one (`@shared/{ref}`) share its token, lock and rotation.
    this.cacheKey = `${client}/${source}`;
    this.sharedRef = sharedRefOf({ client, source });
    this.refreshName = config.type === 'oauth2_refresh_token' ? secretNameOf(config.refresh_token) : 'refresh_token';
  }

  async apply(target: AuthTarget): Promise<void> {
    const cached = tokenCache.get(this.cacheKey);
    const token =
      cached && cached.refreshAfter > this.ctx.now().getTime()
        ? cached.accessToken
        : await this.fetchToken(cached?.accessToken);
    target.headers.authorization = `Bearer ${token}`;
  }

  /**
   * After a 401: replaces the token the 401 refused. When calls in flight with one token all get
   * 401, the first replaces it and the others find the new one, instead of each refreshing again.
   */
  async refresh(rejected?: string): Promise<boolean> {
    const refused = /^Bearer (.+)$/.exec(rejected ?? '')?.[1];
    await this.fetchToken(refused ?? tokenCache.get(this.cacheKey)?.accessToken);
    return true;
  }

  /** A valid access token other than `stale`: cached, shared by another worker, or new. */
  private async fetchToken(stale: string | undefined): Promise<string> {
    return this.ctx.ports.locks.withLock(
      `oauth:${this.cacheKey}`,
      async () => {
        const now = this.ctx.now().getTime();
        const current = tokenCache.get(this.cacheKey);
        if (current && current.accessToken !== stale && current.refreshAfter > now) return current.accessToken;
        await this.savePending();
        // Read the stored credentials fresh: another worker may have refreshed (and rotated) meanwhile.
        const secrets = await this.ctx.secrets.get(this.client, this.source, { fresh: true });
        const shared = secrets[SHARED_TOKEN];
        const sharedUntil = Number(secrets[SHARED_REFRESH_AFTER]);
        if (shared && shared !== stale && sharedUntil > now) {
          registerSecrets([shared]);
          tokenCache.set(this.cacheKey, { accessToken: shared, refreshAfter: sharedUntil });
          return shared;
        }
        return this.grant(secrets, now);
      },
      { ttlMs: 30_000, waitMs: 180_000 },
    );
  }

  /** Asks the token endpoint for a new token, saves what must be kept, then caches it. */
  private async grant(secrets: Record<string, string>, requestedAt: number): Promise<string> {
    const scope = { ...this.scope, secrets };
    const used = this.config.type === 'oauth2_refresh_token' ? renderTemplate(this.config.refresh_token, scope) : '';
    let answer: Record<string, unknown>;
    let usedToken = used;
    try {
      answer = await this.requestToken(scope, used);
    } catch (error) {
      const previous = secrets[`${this.refreshName}_previous`];
      if (!(error instanceof AuthFailedError) || !previous || previous === used) throw error;
      logger.warn('the stored refresh token was refused; trying the one it replaced', {
        client: this.client,
        source: this.source,
      });
      answer = await this.requestToken(scope, previous);
      usedToken = previous;
    }
    const accessToken = answer.access_token as string;
    registerSecrets([accessToken]);
    const lifetimeMs = (Number(answer.expires_in ?? 3600) || 3600) * 1000;
    const refreshAfter = requestedAt + lifetimeMs - refreshMarginMs(lifetimeMs);
    const changes: Record<string, string> = {
      [SHARED_TOKEN]: accessToken,
      [SHARED_REFRESH_AFTER]: String(refreshAfter),
    };
    if (typeof answer.refresh_token === 'string' && answer.refresh_token !== usedToken) {
      registerSecrets([answer.refresh_token]);
      changes[this.refreshName] = answer.refresh_token;
      changes[`${this.refreshName}_previous`] = usedToken;
    }
    await this.save(changes, this.refreshName in changes);
    tokenCache.set(this.cacheKey, { accessToken, refreshAfter });
    return accessToken;
  }

  /** One token request, through the source's retry policy; resolves only with an access token. */
  private async requestToken(scope: TemplateScope, refreshToken: string): Promise<Record<string, unknown>> {
    const tokenUrl = renderTemplate(this.config.token_url, scope);
    const config = this.config;
    // A service account's assertion is its own proof; client_auth concerns OAuth clients only.
    const client =
      config.type === 'google_service_account'
        ? undefined
        : {
            client_id: renderTemplate(config.client_id, scope),
            client_secret: renderTemplate(config.client_secret, scope),
          };
    const basic = client !== undefined && config.type !== 'google_service_account' && config.client_auth === 'basic';
    const fields = this.grantFields(scope, tokenUrl, refreshToken, basic ? undefined : client);
    const request: HttpRequest = {
      method: 'POST',
      url: tokenUrl,
      withoutAuth: true,
      kind: 'token',
      ...(this.config.type !== 'google_service_account' && this.config.body === 'json'
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) }
        : {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(fields).toString(),
          }),
    };
    if (basic && client) {
      const authorization = basicAuthorization(client);
      registerSecrets([authorization.slice('Basic '.length)]);
      request.headers = { ...request.headers, authorization };
    }
    const parsed = new URL(tokenUrl);
    const where = `${this.credentialName()} token endpoint ${parsed.origin}${parsed.pathname}`;
    return this.endpoint.http.exchange(request, (response) => this.readAnswer(response, where), {
      // RFC 6749 errors come as 400/401 with a JSON body that says which kind they are.
      accept: (status) => status === 400 || status === 401,
    });
  }

  /** The token request's form fields for the configured grant. */
  private grantFields(
    scope: TemplateScope,
    tokenUrl: string,
    refreshToken: string,
    client: { client_id: string; client_secret: string } | undefined,
  ): Record<string, string> {
    const config = this.config;
    if (config.type === 'google_service_account')
      return {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: this.signedAssertion(config, scope, tokenUrl),
      };
    const fields: Record<string, string> = {
      grant_type: config.type === 'oauth2_refresh_token' ? 'refresh_token' : 'client_credentials',
      ...client,
    };
    if (config.type === 'oauth2_refresh_token') fields.refresh_token = refreshToken;
    if (config.scope) fields.scope = config.scope;
    return fields;
  }

  /** A JWT signed with the stored service-account key; a key that cannot sign fails the item at once. */
  private signedAssertion(
    config: Extract<OAuthConfig, { type: 'google_service_account' }>,
    scope: TemplateScope,
    tokenUrl: string,
  ): string {
    const keyTemplate = config.private_key;
    let key;
    try {
      key = readServiceAccountKey(renderTemplate(keyTemplate, scope));
    } catch (error) {
      if (!(error instanceof PrivateKeyFormatError)) throw error;
      throw new AuthFailedError(
        `${this.credentialName()} (google_service_account)`,
        `the credential "${secretNameOf(keyTemplate, 'private_key')}" ${error.detail}; store the service account's JSON key file as Google Cloud downloads it (IAM → Service accounts → Keys → Add key → JSON): dif credentials put --file key.json`,
        this.sharedRef,
      );
    }
    const subject = config.subject === undefined ? '' : renderTemplate(config.subject, scope);
    const keyId = renderTemplate(config.private_key_id, scope);
    return serviceAccountAssertion(key, {
      clientEmail: renderTemplate(config.client_email, scope),
      scope: renderTemplate(config.scope, scope),
      audience: tokenUrl,
      nowMs: this.ctx.now().getTime(),
      ...(subject ? { subject } : {}),
      ...(keyId ? { keyId } : {}),
    });
  }

  /** The stored credential, as errors name it. */
  private credentialName(): string {
    return this.sharedRef === undefined ? `${this.client}/${this.source}` : `shared credentials "${this.sharedRef}"`;
  }

  private async readAnswer(response: OpenResponse, where: string): Promise<Record<string, unknown>> {
    const { redact, guards, errorWhen } = this.endpoint;
    const url = redact(response.url);
    const { buffer, tally } = await bufferedBody(response, guards);
    const text = (await pageContent(buffer, tally.sniffed, url, guards)).toString('utf8');
    let body: Record<string, unknown> | undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) body = value as Record<string, unknown>;
    } catch {
      // Judged below with the status.
    }
    const error = typeof body?.error === 'string' ? body.error : undefined;
    const detail = `HTTP ${response.status} ${error ?? ''} ${typeof body?.error_description === 'string' ? body.error_description : ''}`;
    if ((error && CREDENTIAL_ERRORS.has(error)) || response.status === 401)
      throw new AuthFailedError(where, redact(detail.replace(/\s+/g, ' ').trim()), this.sharedRef);
    if (response.status === 400)
      throw new HttpStatusError(
        400,
        url,
        redact(text.slice(0, 300)),
        'the token endpoint refused the request as malformed; check the auth block: token_url, body (form or json) and scope',
      );
    if (!body) throw new BadResponseError(url, `the token answer is not a JSON object (${buffer.length} bytes)`);
    checkErrorPredicates(body, errorWhen, url, redact);
    if (error && TRANSIENT_ERRORS.has(error))
      throw new BadResponseError(url, `the token endpoint answered "${error}" inside a ${response.status}`);
    if (typeof body.access_token !== 'string' || body.access_token === '')
      throw new BadResponseError(
        url,
        `the token answer has no access_token (${redact(JSON.stringify(body).slice(0, 200))})`,
      );
    return body;
  }

  /**
   * Saves rotated credentials, retrying with backoff. A rotated refresh token that cannot be
   * saved fails the item (loudly) and is kept in this process to be saved first next time.
   */
  private async save(changes: Record<string, string>, rotated: boolean): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
      try {
        await this.ctx.secrets.rotate(this.client, this.source, changes);
        pendingStores.delete(this.cacheKey);
        return;
      } catch (error) {
        lastError = error;
        if (attempt + 1 < STORE_ATTEMPTS)
          await new Promise((resolve) => setTimeout(resolve, STORE_BASE_DELAY_MS * 2 ** attempt));
      }
    }
    // A shared access token that was not stored only costs other workers a refresh of their own.
    if (!rotated) return;
    pendingStores.set(this.cacheKey, changes);
    throw new TokenStoreError(`${this.client}/${this.source}`, STORE_ATTEMPTS, lastError);
  }

  private async savePending(): Promise<void> {
    const pending = pendingStores.get(this.cacheKey);
    if (pending) await this.save(pending, true);
  }
}

/** RFC 6749 §2.3.1: id and secret form-encoded, joined by a colon, in base64. */
function basicAuthorization(client: { client_id: string; client_secret: string }): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret)}`).toString('base64')}`;
}
