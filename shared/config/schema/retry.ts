import { z } from 'zod';
import { scalar, shortDuration } from './common';

/**
 * Where a predicate looks: a JSONPath-like `$.error.code`, or an XPath-like `/Envelope/Body/Fault/faultcode`
 * (`//code` finds the element at any depth). XML namespace prefixes are dropped.
 */
const bodyPath = z
  .string()
  .regex(
    /^(?:\$(?:\.[A-Za-z0-9_@-]+|\[\d+\]|\[\*\])*|\/\/?[A-Za-z_][\w.-]*(?:\/\/?[A-Za-z_][\w.-]*)*)$/,
    'a path like $.error.code (JSON or XML) or /Envelope/Body/Fault/faultcode or //error/code (XML)',
  )
  .describe(
    'Value to test: $.error.code (JSON; XML is read the same way, namespace prefixes dropped) or an XPath-like /Envelope/Body/Fault/faultcode, //code at any depth.',
  );

/** A predicate on a JSON or XML response body that marks an "error inside a 200". */
export const errorPredicate = z
  .strictObject({
    path: bodyPath,
    exists: z.boolean().optional().describe('True: an error when the path is present (and not null).'),
    in: z.array(scalar).optional().describe('An error when the value is one of these.'),
    not_in: z
      .array(scalar)
      .optional()
      .describe('An error when the value is present and not one of these. Example: [0]'),
    retryable: z.boolean().default(true).describe('Retry the request (true) or fail the item at once (false).'),
  })
  .describe('Example: { path: $.error.code, in: [1, 2, 4, 17] }');

export const retry = z
  .strictObject({
    statuses: z
      .array(z.number().int().min(100).max(599))
      .default([408, 429, 500, 502, 503, 504])
      .describe('HTTP statuses retried.'),
    max_attempts: z.number().int().min(1).max(20).default(5).describe('Attempts per request, the first included.'),
    base_delay: shortDuration
      .default('500ms')
      .describe('Backoff base: attempt n waits a random time up to base × 2^n (full jitter).'),
    max_delay: shortDuration.default('60s').describe('Longest wait between attempts, Retry-After included.'),
    error_when: z
      .array(errorPredicate)
      .default([])
      .describe(
        '"Error inside a 200" predicates on JSON or XML bodies, checked on data pages, async create and poll answers and OAuth token answers (report downloads only with async_job.download.check_errors).',
      ),
    envelope_statuses: z
      .array(z.number().int().min(400).max(599))
      .default([])
      .describe(
        'Error statuses whose JSON or XML body is read like a 200\'s: an answer the first matching error_when predicate marks retryable is retried (Meta answers rate limits with HTTP 400 and {"error":{"code":17}}); others still fail at once. Example: [400, 403]',
      ),
    reset_header: z
      .string()
      .optional()
      .describe('Header holding the seconds until a rate-limit window resets. Example: x-ratelimit-reset'),
  })
  .describe('Which failures are retried and how long to wait. Retry-After (seconds or HTTP date) is always honoured.');
