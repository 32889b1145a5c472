import { z } from 'zod';
import { identifier, templated } from './common';
import { auth } from './auth';
import { stream } from './stream';
import { rateLimit } from './rateLimit';
import { retry } from './retry';
import { shortDuration } from './common';
import { limits } from './limits';

export const sourceDefinition = z
  .strictObject({
    name: identifier.describe('Source name; must match the file name sources/<name>.yml.'),
    description: z.string().optional().describe('What API this is, for people.'),
    base_url: templated.describe('Base URL of the API. Example: https://graph.example.com/v21.0'),
    allowed_hosts: z
      .array(z.string())
      .optional()
      .describe(
        'Hosts the extractor may call besides the hosts of base_url and auth.token_url, which are always allowed (next-page, download and redirect URLs). Example: [api.amazon.com, "*.amazonaws.com"]',
      ),
    auth: auth,
    rate_limit: rateLimit.optional(),
    retry: retry.default(() => retry.parse({})),
    timeout: shortDuration
      .default('30s')
      .describe('Per-request timeout (connect to last byte of a page, or between bytes of a download).'),
    headers: z.record(z.string(), templated).default({}).describe('Headers sent with every request of the source.'),
    limits: limits.default(() => limits.parse({})),
    streams: z
      .record(identifier, stream)
      .refine((streams) => Object.keys(streams).length > 0, 'at least one stream')
      .describe('Datasets of the source, by name.'),
  })
  .describe('An HTTP API described once, used by any number of clients.');

export type SourceDefinition = z.infer<typeof sourceDefinition>;
export type StreamDefinition = SourceDefinition['streams'][string];
