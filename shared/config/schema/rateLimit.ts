import { z } from 'zod';
import { shortDuration, templated } from './common';

export const rateLimit = z
  .strictObject({
    scope: templated.optional().describe('Who shares the budget; a template. Default: the source name. Example: "{{ secrets.app_id }}"'),
    requests: z.number().int().positive().describe('Requests allowed per `per`.'),
    per: shortDuration.describe('Length of the window. Example: 1s, 1m, 1h'),
    concurrency: z.number().int().positive().optional().describe('Requests in flight at once across every worker.'),
  })
  .describe('Request budget shared by every worker through the rate limiter. Example: { requests: 200, per: 1h, concurrency: 4 }');
