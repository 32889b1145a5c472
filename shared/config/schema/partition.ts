import { DateTime } from 'luxon';
import { z } from 'zod';
import { identifier, isoDuration, scalar, templated } from './common';

/** A literal YYYY-MM-DD must be a calendar date: `2026-02-30` would plan nothing. */
const dateText = templated.refine((value) => !/^\d{4}-\d{2}-\d{2}$/.test(value) || DateTime.fromISO(value).isValid, {
  error: (issue) => `"${String(issue.input)}" is not a calendar date; fix the day or month (YYYY-MM-DD)`,
});

export const dateRange = z
  .strictObject({
    start: dateText.describe(
      'First date: YYYY-MM-DD, `today`, `yesterday` or a template, with date arithmetic if needed. Example: "{{ client.start_date }}", "{{ today - P28D }}"',
    ),
    end: dateText
      .default('yesterday')
      .describe('Last date: YYYY-MM-DD, a template, `today` or `yesterday` (in `timezone`).'),
    step: isoDuration.default('P1D').describe('Length of one slice (one work item). Example: P1D, P7D, P30D'),
    lookback: z
      .string()
      .refine((value) => value.includes('{{') || isoDuration.safeParse(value).success, {
        error: (issue) =>
          `"${String(issue.input)}" is not an ISO-8601 duration like P7D or P28D, nor a template such as "{{ client.attribution_window | default:P7D }}"`,
      })
      .optional()
      .describe(
        'Attribution window: after the first run, re-read only this much of the end of the range (restated data) plus every partition that never loaded; without it every run re-reads the whole range. A template gives each client its own window. Example: P7D, or "{{ client.attribution_window | default:P28D }}"',
      ),
    timezone: z.string().default('UTC').describe('IANA time zone that defines `today`. Example: America/New_York'),
  })
  .describe('Splits a date range into slices; templates read {{ slice.start }} and {{ slice.end }}.');

export const partition = z
  .strictObject({
    list: z
      .record(identifier, z.union([z.array(scalar).min(1), templated]))
      .optional()
      .describe(
        'Named lists of values, one work item per value; a string is a template rendering to a comma-separated list. Example: { account_id: "{{ client.account_ids }}" }',
      ),
    date_range: dateRange.optional(),
  })
  .refine((value) => value.list !== undefined || value.date_range !== undefined, 'give `list`, `date_range` or both')
  .describe(
    'Statically known partitions: Plan makes one work item per combination (the product of every list and the date slices).',
  );
