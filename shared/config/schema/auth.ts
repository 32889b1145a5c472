import { z } from 'zod';
import { templated } from './common';

/**
 * How requests authenticate. Secret values come from the credentials store through
 * `{{ secrets.NAME }}` templates, never from the YAML itself.
 */
export const auth = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('none').describe('No authentication.') }),
    z.strictObject({
      type: z.literal('api_key').describe('A key sent in a header or a query parameter.'),
      in: z.enum(['header', 'query']).default('header').describe('Where the key goes.'),
      name: z.string().describe('Header or query parameter name. Example: X-Api-Key'),
      value: templated.describe('The key, from the credentials store. Example: "{{ secrets.api_key }}"'),
    }),
    z.strictObject({
      type: z.literal('bearer').describe('Authorization: Bearer <token>.'),
      token: templated.describe('The token. Example: "{{ secrets.access_token }}"'),
    }),
  ])
  .default({ type: 'none' })
  .describe('Authentication for every request of the source.');
