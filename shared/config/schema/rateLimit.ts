import { z } from 'zod';
import { shortDuration, templated } from './common';

export const rateLimit = z
  .strictObject({
    scope: templated
      .optional()
      .describe('Who shares the budget; a template. Default: the source name. Example: "{{ secrets.app_id }}"'),
    requests: z.number().int().positive().describe('Requests allowed per `per`.'),
    per: shortDuration.describe('Length of the window. Example: 1s, 1m, 1h'),
    concurrency: z.number().int().positive().optional().describe('Requests in flight at once across every worker.'),
    also: z
      .array(
        z.strictObject({
          requests: z.number().int().positive().describe('Requests allowed per `per`.'),
          per: shortDuration.describe('Length of the window.'),
        }),
      )
      .default([])
      .describe(
        'More windows on the same budget, all enforced together. Example: [{ requests: 1000, per: 1m }] on top of 20 per 1s',
      ),
    usage_header: z
      .strictObject({
        name: z.string().describe('Response header reporting quota use. Example: x-app-usage'),
        field: z
          .string()
          .optional()
          .describe('When the header is JSON, the field holding the usage. Example: call_count'),
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
      .optional()
      .describe("Slow the whole fleet down before the API says 429, from a usage header such as Meta's x-app-usage."),
  })
  .describe(
    'Request budget shared by every worker through the rate limiter. Example: { requests: 200, per: 1h, concurrency: 4 }',
  );
