import { z } from 'zod';
import { jsonPath, scalar, templated } from './common';

export const requestBody = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('json').describe('JSON body'),
      value: z.unknown().describe('The JSON body; string values may hold templates.'),
    }),
    z.strictObject({
      type: z.literal('form').describe('application/x-www-form-urlencoded body'),
      value: z.record(z.string(), scalar).describe('Form fields; values may hold templates.'),
    }),
    z.strictObject({
      type: z.literal('xml').describe('XML or SOAP body'),
      value: templated.describe('The XML document; values inside may hold templates (XML-escaped when rendered).'),
      soap_action: z.string().optional().describe('Sent as the SOAPAction header.'),
    }),
  ])
  .describe('Request body. Example: { type: json, value: { report: "{{ slice.start }}" } }');

export const request = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT']).default('GET').describe('HTTP method.'),
    path: templated.describe(
      'Path appended to base_url, or an absolute URL on an allowed host. Example: /act_{{ client.account_id }}/campaigns',
    ),
    query: z.record(z.string(), scalar).default({}).describe('Query parameters; values may hold templates.'),
    headers: z.record(z.string(), templated).default({}).describe('Extra headers; values may hold templates.'),
    body: requestBody.optional(),
  })
  .describe('One HTTP request, relative to the source base_url.');

export const pagination = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none').describe('A single request returns everything.') }),
    z.strictObject({
      type: z.literal('cursor').describe('The response carries a cursor (next token) sent back as a query parameter.'),
      cursor: jsonPath.describe('Where the next cursor is in the response body. Example: $.paging.cursors.after'),
      param: z.string().describe('Query parameter that carries the cursor on the next request.'),
      until_missing: jsonPath
        .optional()
        .describe('Stop when this path is absent or null (e.g. $.paging.next), even if a cursor is present.'),
    }),
    z.strictObject({
      type: z.literal('next_url').describe('The response body holds the full URL of the next page.'),
      next: jsonPath.describe('Where the next URL is. Example: $.next'),
    }),
    z.strictObject({ type: z.literal('link_header').describe('RFC 5988 Link header with rel="next".') }),
    z.strictObject({
      type: z.literal('offset').describe('offset/limit paging.'),
      offset_param: z.string().default('offset').describe('Query parameter for the offset.'),
      limit_param: z.string().default('limit').describe('Query parameter for the page size.'),
      limit: z.number().int().positive().default(100).describe('Page size to request.'),
      total: jsonPath
        .optional()
        .describe('Path of the total record count; when absent, paging stops at the first empty page.'),
      total_header: z
        .string()
        .optional()
        .describe(
          'Response header holding the total record count (for CSV or other non-JSON pages). Example: X-Total-Count',
        ),
    }),
    z.strictObject({
      type: z.literal('page_number').describe('page=1,2,3… paging.'),
      param: z.string().default('page').describe('Query parameter for the page number.'),
      start: z.number().int().default(1).describe('Number of the first page.'),
      size_param: z.string().optional().describe('Query parameter for the page size.'),
      size: z.number().int().positive().optional().describe('Page size to request.'),
      total_pages: jsonPath.optional().describe('Path of the total page count.'),
      total_records: jsonPath.optional().describe('Path of the total record count.'),
    }),
  ])
  .describe(
    'How to walk pages. Paging stops on an explicit signal (no cursor, no next link, totals reached, or an empty page), never on a short page alone.',
  );
