import { DateTime } from 'luxon';
import { z } from 'zod';
import { identifier, isoDuration, scalar, templated } from './common';

/** A literal YYYY-MM-DD must be a calendar date: `2026-02-30` would plan nothing. */
const dateText = templated.refine((value) => !/^\d{4}-\d{2}-\d{2}$/.test(value) || DateTime.fromISO(value).isValid, {
  error: (issue) => `"${String(issue.input)}" is not a calendar date; fix the day or month (YYYY-MM-DD)`,
});

export const dateRange = z
  .strictObject({
    start: dateText.describe('First date (YYYY-MM-DD); may be a template. Example: "{{ client.start_date }}"'),
    end: dateText
      .default('yesterday')
      .describe('Last date: YYYY-MM-DD, a template, `today` or `yesterday` (in `timezone`).'),
    step: isoDuration.default('P1D').describe('Length of one slice (one work item). Example: P1D, P7D, P30D'),
    lookback: isoDuration
      .optional()
      .describe(
        'After the first run, re-read only this much of the end of the range (restated data) plus every partition that never loaded; without it every run re-reads the whole range. Example: P7D',
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
