import { z } from 'zod';
import { scalar, templated } from './common';

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

// Paging styles live in one registry (shared/config/paginate), which builds the `paginate` schema.
export { pagination } from '../paginate/registry';
