import { renderTemplate, type TemplateScope } from '../../shared/config/template';
import { credentialKeyOf } from '../../shared/config/credentialKey';
import type { Limits, SourceDefinition, StreamDefinition } from '../../shared/config/schema';
import type { BodyGuards } from './http/pageBody';
import { redact, registerSecrets } from '../../shared/log/secretRedactor';
import type { WorkItem } from '../../shared/messages/workItem';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { createAuth } from './auth/createAuth';
import { StreamConfigError } from './errors';
import { HostAllowList } from './http/allowedHosts';
import { parseShortDuration } from '../../shared/config/shortDuration';
import { HttpClient } from './http/HttpClient';
import { isTransientErrorBody } from './errorPredicates';
import { itemScope } from './scope';
import { limitPolicies } from './http/limitPolicies';
import { usageSignalOf } from './http/usageSignal';

/** Everything needed to call a source's API for one work item. */
export interface SourceSession {
  source: SourceDefinition;
  stream: StreamDefinition;
  scope: TemplateScope;
  baseUrl: string;
  http: HttpClient;
  /** Masks secrets in text bound for errors and logs. */
  redact: (text: string) => string;
  /** The source's `limits` with the stream's overrides applied. */
  limits: Limits;
  /** Caps for bodies read outside a page walk (job create and status answers). */
  guards: BodyGuards;
}

/** Resolves the item's source, stream, client params and secrets; builds the HTTP client. */
export async function openSession(
  ctx: ServiceContext,
  item: WorkItem,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<SourceSession> {
  const where = `${item.client}/${item.source}/${item.stream}`;
  const source = ctx.config.sources.get(item.source);
  const stream = source?.streams[item.stream];
  const clientSource = ctx.config.clients.get(item.client)?.sources[item.source];
  if (!source || !stream || !clientSource) {
    throw new StreamConfigError(
      where,
      'the work item names a client, source or stream that is not in the configuration; the config changed since Plan ran — start a new run',
    );
  }
  // A client may use a shared credential (`credentials: { ref }`): read, refresh and rotate that one.
  const credential = credentialKeyOf(item.client, item.source, clientSource);
  const secrets = await ctx.secrets.get(credential.client, credential.source);
  registerSecrets(Object.values(secrets));
  let cursor: string | undefined;
  if (stream.incremental) {
    const stored = await ctx.ports.runState.getCursor({
      client: item.client,
      source: item.source,
      stream: item.stream,
      partition: item.partition,
    });
    cursor = stored?.value ?? renderTemplate(stream.incremental.start, itemScope(item, clientSource.params, secrets));
  }
  const scope = itemScope(item, clientSource.params, secrets, cursor);
  const baseUrl = renderTemplate(source.base_url, scope);
  let baseHost: string;
  try {
    baseHost = new URL(baseUrl).host;
  } catch {
    throw new StreamConfigError(
      `${item.source} base_url`,
      `"${redact(baseUrl)}" is not an absolute URL (is the env variable it reads set?)`,
    );
  }
  // The API's own host and its token endpoint's are always called, so always allowed: a catalog
  // source lists its platform's other real hosts (download, next-page) in allowed_hosts and still
  // runs against base_url and token_url overrides (replays, proxies).
  const tokenHost = 'token_url' in source.auth ? hostOf(renderTemplate(source.auth.token_url, scope)) : undefined;
  const allowList = new HostAllowList([baseHost, ...(tokenHost ? [tokenHost] : []), ...(source.allowed_hosts ?? [])]);
  const limits: Limits = { ...source.limits, ...stream.limits };
  const retry = source.retry;
  const rateLimit = source.rate_limit;
  const guards: BodyGuards = { maxRatio: stream.format.max_ratio, maxPageBytes: limits.max_page_bytes };
  const common = {
    allowList,
    timeoutMs: parseShortDuration(source.timeout),
    deadlineMs: parseShortDuration(limits.request_deadline),
    retry: {
      statuses: retry.statuses,
      maxAttempts: retry.max_attempts,
      baseDelayMs: parseShortDuration(retry.base_delay),
      maxDelayMs: parseShortDuration(retry.max_delay),
      ...(retry.reset_header ? { resetHeader: retry.reset_header } : {}),
      ...(retry.envelope_statuses.length > 0
        ? {
            envelopeStatuses: retry.envelope_statuses,
            transientBody: (body: Buffer) => isTransientErrorBody(body, retry.error_when),
          }
        : {}),
    },
    redact,
    now: ctx.now,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const policies = rateLimit ? limitPolicies(item.source, rateLimit, scope) : undefined;
  const tokenPolicy = policies?.byKind.token;
  // The token endpoint gets the source's retry policy and caps, not its rate limit or credentials;
  // only a `rate_limit.by_kind.token` budget applies to it.
  const tokenEndpoint = () => ({
    http: new HttpClient({
      ...common,
      auth: { apply: async () => undefined },
      ...(tokenPolicy ? { limiter: { rateLimiter: ctx.ports.rateLimiter, byKind: { token: tokenPolicy } } } : {}),
    }),
    errorWhen: retry.error_when,
    guards,
    redact,
  });
  const usage = rateLimit?.usage_header ? usageSignalOf(rateLimit.usage_header, scope, where) : undefined;
  const http = new HttpClient({
    ...common,
    auth: createAuth(ctx, credential.client, credential.source, source.auth, scope, tokenEndpoint),
    ...(policies
      ? {
          limiter: {
            rateLimiter: ctx.ports.rateLimiter,
            ...policies,
            ...(usage ? { usage } : {}),
          },
        }
      : {}),
  });
  return { source, stream, scope, baseUrl, http, redact, limits, guards };
}

/** The host of a URL, or undefined when it is not one (the token request then fails, saying so). */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
