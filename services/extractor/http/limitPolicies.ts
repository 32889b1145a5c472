import { createHash } from 'node:crypto';
import { parseShortDuration } from '../../../shared/config/shortDuration';
import type { RateLimitConfig, RequestKind } from '../../../shared/config/schema/rateLimit';
import { renderTemplate, type TemplateScope } from '../../../shared/config/template';
import type { LimitPolicy } from '../../../shared/ports/RateLimiter';

/** The budgets a source's requests draw on: the source-wide one and one per kind of request. */
export interface LimitPolicies {
  /** Every request of the source (except token requests) takes a permit here first. */
  policy?: LimitPolicy;
  /** Requests of a kind then take a permit of their kind's budget too. */
  byKind: Partial<Record<RequestKind, LimitPolicy>>;
}

interface Budget {
  scope?: string;
  requests?: number;
  per?: string;
  also: { requests: number; per: string }[];
  concurrency?: number;
}

// Hashed: a scope may be rendered from a secret (an app id or token) and ends up in Redis keys.
function scopeKey(template: string | undefined, scope: TemplateScope): string {
  return template ? createHash('sha256').update(renderTemplate(template, scope)).digest('hex').slice(0, 16) : 'app';
}

function policyOf(name: string, budget: Budget, scope: string): LimitPolicy | undefined {
  const windows = budget.requests !== undefined && budget.per !== undefined ? [budget, ...budget.also] : budget.also;
  const limits = windows.map((limit) => ({ requests: limit.requests!, perMs: parseShortDuration(limit.per!) }));
  if (limits.length === 0 && budget.concurrency === undefined) return undefined;
  return { scope: `${name}${scope}`, limits, ...(budget.concurrency ? { concurrency: budget.concurrency } : {}) };
}

/**
 * Turns a source's `rate_limit` into the limiter policies of one work item: scopes rendered with
 * the item's values (then hashed), windows in milliseconds. A kind's budget without its own
 * scope shares the source-wide scope, under a key of its own.
 *
 * @example
 * const { policy, byKind } = limitPolicies('sponsored_ads', source.rate_limit, scope);
 * byKind.create; // { scope: 'sponsored_ads:create:9f2c…', limits: [{ requests: 1, perMs: 2000 }] }
 */
export function limitPolicies(source: string, config: RateLimitConfig, scope: TemplateScope): LimitPolicies {
  const shared = scopeKey(config.scope, scope);
  const byKind: LimitPolicies['byKind'] = {};
  for (const [kind, budget] of Object.entries(config.by_kind ?? {}) as [RequestKind, Budget][]) {
    const policy = policyOf(`${source}:${kind}:`, budget, budget.scope ? scopeKey(budget.scope, scope) : shared);
    if (policy) byKind[kind] = policy;
  }
  const policy = policyOf(`${source}:`, config, shared);
  return { ...(policy ? { policy } : {}), byKind };
}
