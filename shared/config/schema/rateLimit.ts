import { z } from 'zod';
import { shortDuration, templated } from './common';
import { capturePattern, templatedJsonPath } from './valueReader';

/** The kinds of request a source makes; each may have its own budget (`rate_limit.by_kind`). */
export const REQUEST_KINDS = ['page', 'create', 'poll', 'download', 'token'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

const window = {
  requests: z.number().int().positive().describe('Requests allowed per `per`.'),
  per: shortDuration.describe('Length of the window. Example: 1s, 1m, 1h'),
};

const also = z
  .array(z.strictObject(window))
  .default([])
  .describe(
    'More windows on the same budget, all enforced together. Example: [{ requests: 1000, per: 1m }] on top of 20 per 1s',
  );

const concurrency = z.number().int().positive().optional().describe('Requests in flight at once across every worker.');

/** A budget needs a window or a concurrency cap; `requests` and `per` go together. */
function checkBudget(budget: { requests?: number; per?: string; concurrency?: number }, context: z.RefinementCtx) {
  if ((budget.requests === undefined) !== (budget.per === undefined))
    context.addIssue({
      code: 'custom',
      path: [budget.requests === undefined ? 'requests' : 'per'],
      message: 'requests and per go together (e.g. requests: 10, per: 1s)',
    });
}

/** The budget of one kind of request. */
export const kindBudget = z
  .strictObject({
    scope: templated
      .optional()
      .describe(
        'Who shares this budget; a template. Default: the rate_limit scope. Example: "{{ partition.profile_id }}" (per Amazon profile)',
      ),
    requests: window.requests.optional(),
    per: window.per.optional(),
    also,
    concurrency,
  })
  .superRefine((budget, context) => {
    checkBudget(budget, context);
    if (budget.requests === undefined && budget.concurrency === undefined)
      context.addIssue({
        code: 'custom',
        message: 'give requests and per, or concurrency (or both)',
      });
  })
  .describe(
    'A budget for one kind of request, on top of the source-wide one. Example: { scope: "{{ client.profile_id }}", requests: 1, per: 2s }',
  );

export const usageHeader = z
  .strictObject({
    name: z.string().describe('Response header reporting quota use. Example: x-app-usage'),
    field: z
      .string()
      .optional()
      .describe(
        'When the header is JSON, a top-level field holding the usage. Example: call_count (same as path: $.call_count)',
      ),
    path: templatedJsonPath
      .optional()
      .describe(
        "When the header is JSON, where the usage is; may hold the work item's values. Several values (a [*]): the highest counts. Example (Meta X-Business-Use-Case-Usage): $.{{ partition.account_id }}[*].call_count",
      ),
    pattern: capturePattern.optional(),
    full_at: z
      .number()
      .positive()
      .default(100)
      .describe('The value that means the quota is used up (100 for a percentage, 1 for a fraction).'),
    threshold: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe('Fraction of the quota used at which every worker slows down.'),
    slow_to: z.number().gt(0).max(1).default(0.5).describe('Fraction of the limits to run at while slowed.'),
    for: shortDuration.default('1m').describe('How long to stay slowed after a reading above the threshold.'),
  })
  .refine((usage) => usage.field === undefined || usage.path === undefined, {
    message: 'give field or path, not both (field: call_count is path: $.call_count)',
    path: ['path'],
  })
  .describe("Slow the whole fleet down before the API says 429, from a usage header such as Meta's x-app-usage.");

export const rateLimit = z
  .strictObject({
    scope: templated
      .optional()
      .describe('Who shares the budget; a template. Default: the source name. Example: "{{ secrets.app_id }}"'),
    requests: window.requests.optional(),
    per: window.per.optional(),
    concurrency,
    also,
    by_kind: z
      .partialRecord(z.enum(REQUEST_KINDS), kindBudget)
      .optional()
      .describe(
        'Budgets of one kind of request (page: data pages, create / poll / download: async report calls, token: OAuth token requests), each on top of the source-wide budget and shared by every worker. Example: { create: { scope: "{{ client.profile_id }}", requests: 1, per: 2s } }',
      ),
    usage_header: usageHeader.optional(),
  })
  .superRefine((limit, context) => {
    checkBudget(limit, context);
    if (limit.requests === undefined && limit.concurrency === undefined && !limit.by_kind)
      context.addIssue({ code: 'custom', message: 'give requests and per, concurrency, or by_kind' });
    if (
      limit.requests === undefined &&
      limit.concurrency === undefined &&
      (limit.also.length > 0 || limit.usage_header)
    )
      context.addIssue({
        code: 'custom',
        path: [limit.usage_header ? 'usage_header' : 'also'],
        message: 'applies to the source-wide budget: give requests and per (or concurrency) too',
      });
  })
  .describe(
    'Request budget shared by every worker through the rate limiter. Example: { requests: 200, per: 1h, concurrency: 4 }',
  );

export type RateLimitConfig = z.infer<typeof rateLimit>;
