import type { IncomingHttpHeaders } from 'node:http';
import { readValue } from '../../../shared/config/readValue';
import type { usageHeader } from '../../../shared/config/schema/rateLimit';
import type { ValueLocation } from '../../../shared/config/schema/valueReader';
import { parseShortDuration } from '../../../shared/config/shortDuration';
import { renderTemplate, UnknownTemplateVariableError, type TemplateScope } from '../../../shared/config/template';
import type { z } from 'zod';
import { StreamConfigError } from '../errors';

/** One key of a `$.a.b` path. */
const PATH_KEY = /^[A-Za-z0-9_@-]+$/;

/** How to read an API's quota-usage header and how much to slow down when it runs high. */
export interface UsageSignal {
  /** Where the usage is: the header, and a path inside its JSON, a pattern (the value reader). */
  value: ValueLocation & { header: string };
  /** Header value that means the quota is used up. */
  fullAt: number;
  threshold: number;
  factor: number;
  forMs: number;
}

/** The fraction of the quota a response reports as used, or undefined when it reports none. */
export function usedFraction(headers: IncomingHttpHeaders, usage: UsageSignal): number | undefined {
  const found = readValue(usage.value, { headers });
  // Several readings (one per use case of an account, a [*]): the closest to the quota counts.
  const numbers = (Array.isArray(found) ? found : [found])
    .filter((value) => value !== undefined && value !== null && value !== '')
    .map(Number)
    .filter(Number.isFinite);
  return numbers.length === 0 ? undefined : Math.max(...numbers) / usage.fullAt;
}

/**
 * The usage signal of one work item: `usage_header.path` rendered with the item's values (Meta
 * keys its business use-case usage by ad account), `field` read as `$.field`.
 *
 * @example
 * usageSignalOf({ name: 'X-Business-Use-Case-Usage', path: '$.{{ partition.account_id }}[*].call_count', … }, scope, where);
 */
export function usageSignalOf(
  config: z.infer<typeof usageHeader>,
  scope: TemplateScope,
  where: string,
): UsageSignal | undefined {
  try {
    return signalOf(config, scope, where);
  } catch (error) {
    // An item without the value that keys the usage (Meta's account id, for the call that lists the
    // accounts) has no figure of its own to read: its requests still keep to the rate limits and
    // back off on 429, they just do not slow the fleet down on usage.
    if (error instanceof UnknownTemplateVariableError) return undefined;
    throw error;
  }
}

function signalOf(config: z.infer<typeof usageHeader>, scope: TemplateScope, where: string): UsageSignal {
  // Each template must render to one key of the path: a value with a dot or bracket would read elsewhere.
  const path = config.path
    ? config.path.replace(/\{\{[^}]*\}\}/g, (expression) => {
        const key = renderTemplate(expression, scope);
        if (!PATH_KEY.test(key))
          throw new StreamConfigError(
            where,
            `rate_limit.usage_header.path: ${expression} is "${key}", which cannot be one key of a path (letters, digits, _, @ and - only)`,
          );
        return key;
      })
    : config.field
      ? `$.${config.field}`
      : undefined;
  return {
    value: {
      header: config.name,
      ...(path !== undefined ? { path } : {}),
      ...(config.pattern !== undefined ? { pattern: config.pattern } : {}),
    },
    fullAt: config.full_at,
    threshold: config.threshold,
    factor: config.slow_to,
    forMs: parseShortDuration(config.for),
  };
}
