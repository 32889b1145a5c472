import { z } from 'zod';
import { isImpossibleDate } from '../isCalendarDate';
import { identifier, isoDuration, scalar, templated } from './common';

/** A literal YYYY-MM-DD must be a calendar date: `2026-02-30` would plan nothing. */
const dateText = templated.refine((value) => !isImpossibleDate(value), {
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

/** A dotted field of a discovered record, e.g. `id` or `accountInfo.id`. */
const recordField = z.string().regex(/^[\w-]+(\.[\w-]+)*$/, 'a dotted field of the record, e.g. id or account_info.id');

/** Values a discovered record's field is compared with: a list, or a template rendering a comma-separated list. */
const fieldValues = z.union([z.array(scalar).min(1), templated]);

export const partition = z
  .strictObject({
    list: z
      .record(identifier, z.union([z.array(scalar).min(1), templated]))
      .optional()
      .describe(
        'Named lists of values, one work item per value; a string is a template rendering to a comma-separated list. Example: { account_id: "{{ client.account_ids }}" }',
      ),
    date_range: dateRange.optional(),
    from_stream: identifier
      .optional()
      .describe(
        'Discover the partitions: Plan requests this stream of the same source (all its pages, with the client params and credentials, rate-limited like any call) and makes one partition per record it keeps. For accounts that come and go. Example: ad_accounts',
      ),
    fields: z
      .record(identifier, recordField)
      .optional()
      .describe(
        'With from_stream: partition values read from each discovered record, { name: record_field }; templates read them as {{ partition.NAME }}. Example: { account_id: account_id }',
      ),
    include: z
      .record(recordField, fieldValues)
      .optional()
      .describe(
        'With from_stream: keep only records whose field is one of these values (every field given must match). A template renders a comma-separated list; one that renders empty keeps every record. Example: { account_status: ["1"], account_id: "{{ client.only_accounts | default: }}" }',
      ),
    exclude: z
      .record(recordField, fieldValues)
      .optional()
      .describe(
        'With from_stream: drop records whose field is one of these values. A template that renders empty drops nothing. Example: { account_id: "{{ client.skip_accounts | default: }}" }',
      ),
  })
  .refine(
    (value) => value.list !== undefined || value.date_range !== undefined || value.from_stream !== undefined,
    'give `list`, `date_range`, `from_stream` or a combination',
  )
  .superRefine((value, context) => {
    if (value.from_stream !== undefined && (value.fields === undefined || Object.keys(value.fields).length === 0))
      context.addIssue({
        code: 'custom',
        path: ['fields'],
        message:
          'from_stream needs `fields`: the partition values to read from each discovered record, e.g. { account_id: id }',
      });
    for (const key of ['fields', 'include', 'exclude'] as const)
      if (value[key] !== undefined && value.from_stream === undefined)
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `\`${key}\` applies to discovered partitions only; add from_stream (the stream that lists them)`,
        });
    for (const name of Object.keys(value.fields ?? {}))
      if (value.list?.[name] !== undefined)
        context.addIssue({
          code: 'custom',
          path: ['fields', name],
          message: `"${name}" is both a list and a discovered field; give it one source`,
        });
  })
  .describe(
    'How Plan splits a stream into work items: one per combination of every list value, every discovered record (from_stream) and every date slice.',
  );
