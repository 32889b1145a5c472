import { z } from 'zod';
import { shortDuration } from './common';

const MIB = 1024 * 1024;

/** Defaults of {@link limits}, also used where a stream overrides only some of them. */
export const LIMIT_DEFAULTS = {
  max_pages: 10_000,
  max_page_bytes: 64 * MIB,
  max_bytes: 8 * 1024 * MIB,
  request_deadline: '15m',
} as const;

const fields = {
  max_pages: z
    .number()
    .int()
    .positive()
    .describe(
      'Most pages one request walk may read; more fails the item (an API whose paging never signals its end). Default 10000.',
    ),
  max_page_bytes: z
    .number()
    .int()
    .positive()
    .describe(
      'Largest page read whole (JSON pages whose cursor, records or error envelope must be read; after decompression). A larger page fails the item. Default 64 MiB (a refused endless page peaks at ~215 MB RSS; the page is parsed at 4-6x its size).',
    ),
  max_bytes: z
    .number()
    .int()
    .positive()
    .describe(
      'Most bytes one work item may write to the raw lake, all pages together, after any Content-Encoding is decoded. Default 8 GiB.',
    ),
  request_deadline: shortDuration.describe(
    'Longest time one request may take from sending it to the last byte of its body, however steadily bytes arrive (a server trickling bytes never times out otherwise). Default 15m.',
  ),
};

/** Resource caps of every request of a source (a stream may override any of them). */
export const limits = z
  .strictObject({
    max_pages: fields.max_pages.default(LIMIT_DEFAULTS.max_pages),
    max_page_bytes: fields.max_page_bytes.default(LIMIT_DEFAULTS.max_page_bytes),
    max_bytes: fields.max_bytes.default(LIMIT_DEFAULTS.max_bytes),
    request_deadline: fields.request_deadline.default(LIMIT_DEFAULTS.request_deadline),
  })
  .describe(
    'Caps on pages, bytes and time, applied to every body however it is encoded. Example: { max_pages: 500, max_bytes: 2147483648 }',
  );

/** A stream's overrides of the source's {@link limits}. */
export const streamLimits = z
  .strictObject({
    max_pages: fields.max_pages.optional(),
    max_page_bytes: fields.max_page_bytes.optional(),
    max_bytes: fields.max_bytes.optional(),
    request_deadline: fields.request_deadline.optional(),
  })
  .describe(
    "This stream's overrides of the source's limits. Example: { max_bytes: 21474836480, request_deadline: 1h }",
  );

export type Limits = z.infer<typeof limits>;
