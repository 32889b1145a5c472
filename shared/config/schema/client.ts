import { z } from 'zod';
import { identifier, scalar, shortDuration } from './common';

export const clientSource = z
  .strictObject({
    params: z
      .record(z.string(), scalar)
      .default({})
      .describe('Values the source templates read as {{ client.NAME }}. Example: { account_id: "123" }'),
    streams: z.array(identifier).optional().describe('Streams to ingest; default: every stream of the source.'),
    enabled: z.boolean().default(true).describe('Set false to pause the source for this client.'),
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
