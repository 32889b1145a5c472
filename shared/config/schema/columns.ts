import { z } from 'zod';
import { columnType, identifier } from './common';

/** Texts read as NULL, for every column of a stream or for one column. */
export const nullValues = z
  .array(z.string())
  .max(50)
  .describe(
    'Texts that mean "no value" and load as NULL, compared after trimming spaces. Example: ["--", "N/A", "(not set)"]',
  );

export const columnSpec = z
  .union([
    columnType.describe('Declared type; the value is read from the record field of the same name.'),
    z.strictObject({
      type: columnType.describe('Declared type.'),
      from: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Where the value comes from when not the record field of the column's name. A path in the record: metrics.spend, actions[0].value, actions[?action_type=='purchase'].value ($. in front is allowed, and needed for a record field called partition, slice, parent or client). Or a value of the request: partition.NAME (a partition value), slice.start / slice.end (the date slice), parent.FIELD (the parent record of a dependent call; FIELD must be listed in parent.fields), client.NAME (the client's param; client.name is the client's name).",
        ),
      matches: z
        .enum(['one', 'first', 'last', 'sum'])
        .optional()
        .describe(
          'When a path with [*] or a filter selects several values: one (the default) rejects the record, naming the values; first or last keeps that one; sum adds them exactly (numbers only). No match is NULL. A super column always gets the list of matches. Example: { from: "actions[?action_type==\'purchase\'].value", type: bigint, matches: sum }',
        ),
      format: z
        .string()
        .min(1)
        .optional()
        .describe(
          'How the text is written. Dates and timestamps: a pattern of yyyy yy M MM MMM MMMM d dd H HH h hh a m mm s ss S… (fraction) X XX XXX (offset), other characters literal and \'quoted\' text (M/d/yyyy, yyyyMMdd, yyyy-MM-dd HH:mm:ss, dd.MM.yyyy), or iso (the default), epoch_seconds, epoch_millis. Numbers: percent ("12.5%" → 0.125). Example: { type: date, format: M/d/yyyy }',
        ),
      timezone: z
        .string()
        .min(1)
        .optional()
        .describe(
          'IANA zone of this column\'s timestamps that carry no offset (and of the date an epoch falls on), instead of transform.timezone; may be a template such as "{{ client.timezone }}". Example: America/Los_Angeles',
        ),
      thousands: z
        .enum([',', '.', ' ', "'", '_'])
        .optional()
        .describe(
          'Thousands separator of a number written as text: 1,234,567.5 with ",". Groups must be of three digits (1,23 is rejected). Example: { type: "decimal(18,2)", thousands: "," }',
        ),
      decimal: z
        .enum(['.', ','])
        .optional()
        .describe(
          'Decimal mark of a number written as text; default ".". Example: { thousands: ".", decimal: "," } reads 1.234,56',
        ),
      null_values: nullValues
        .optional()
        .describe('Texts read as NULL in this column, instead of the stream\'s transform.null_values. Example: ["--"]'),
    }),
  ])
  .describe("A column type, or { type, from, format, … } to read it from elsewhere or in a platform's format.");

export const columns = z
  .record(identifier, columnSpec)
  .describe('Columns to keep with their types, in table order. Example: { id: bigint, spend: "decimal(18,6)" }');

export type ColumnSpec = z.infer<typeof columnSpec>;
export type ColumnOptions = Exclude<ColumnSpec, string>;
