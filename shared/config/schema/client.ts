import { z } from 'zod';
import { CREDENTIAL_REF } from '../credentialKey';
import { isImpossibleDate } from '../isCalendarDate';
import { identifier, scalar, shortDuration } from './common';

/** A parameter shaped like a date (YYYY-MM-DD) must be one: `2026-02-30` would plan nothing. */
const param = scalar.refine((value) => typeof value !== 'string' || !isImpossibleDate(value), {
  error: (issue) => `"${String(issue.input)}" is not a calendar date; fix the day or month (YYYY-MM-DD)`,
});

export const clientSource = z
  .strictObject({
    params: z
      .record(z.string(), param)
      .default({})
      .describe('Values the source templates read as {{ client.NAME }}. Example: { account_id: "123" }'),
    streams: z.array(identifier).optional().describe('Streams to ingest; default: every stream of the source.'),
    enabled: z.boolean().default(true).describe('Set false to pause the source for this client.'),
    credentials: z
      .strictObject({
        ref: z
          .string()
          .regex(CREDENTIAL_REF, 'a credential name: letters, digits, _ and -, e.g. agency-amazon')
          .describe(
            'Name of a shared credential, stored once with `dif credentials put --shared NAME`. Example: agency-amazon',
          ),
      })
      .optional()
      .describe(
        "Use a shared credential instead of this client's own: one login for several clients, stored once, its OAuth tokens refreshed and rotated once for all of them under one lock. Holds a name only, never a secret. Example: { ref: agency-amazon }",
      ),
    allow_partial: z
      .union([z.boolean(), z.array(identifier).min(1)])
      .default(false)
      .describe(
        'A run that leaves a partition of this source unloaded fails, unless this is true (or lists the stream): then it succeeds with the gap listed in its summary, and `dif status` keeps showing the gap until a run fills it. Example: [campaign_insights]',
      ),
  })
  .describe('One source turned on for the client.');

export const clientDefinition = z
  .strictObject({
    client: identifier.describe('Client name; must match the file name clients/<client>.yml.'),
    description: z.string().optional(),
    schedule: z.string().optional().describe('EventBridge schedule expression. Example: cron(0 */6 * * ? *)'),
    sla: z
      .strictObject({ fresh_within: shortDuration.describe('Data older than this is late.') })
      .optional()
      .describe('Freshness promise for the client.'),
    warehouse: z
      .strictObject({ schema: identifier.describe('Warehouse schema for the client tables.') })
      .optional()
      .describe('Default: schema named after the client.'),
    sources: z.record(identifier, clientSource).describe('Sources ingested for the client, by source name.'),
  })
  .describe('A client and the sources ingested for it.');

export type ClientDefinition = z.infer<typeof clientDefinition>;
export type ClientSource = ClientDefinition['sources'][string];
