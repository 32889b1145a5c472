import { z } from 'zod';
import { templated } from './common';

/** RFC 6749 §2.3.1: the client's id and secret in the token request's body, or as HTTP Basic. */
const clientAuth = z
  .enum(['body', 'basic'])
  .default('body')
  .describe(
    'How the token request carries client_id and client_secret: body (form or JSON fields) or basic (an Authorization: Basic header, as Pinterest requires).',
  );

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
    z.strictObject({
      type: z.literal('basic').describe('HTTP Basic authentication.'),
      username: templated.describe('Example: "{{ secrets.username }}"'),
      password: templated.describe('Example: "{{ secrets.password }}"'),
    }),
    z.strictObject({
      type: z
        .literal('oauth2_refresh_token')
        .describe('OAuth 2 refresh-token grant; the access token is cached until it expires, a 401 refreshes it once.'),
      token_url: templated.describe('Token endpoint (an allowed host). Example: https://auth.example.com/oauth2/token'),
      client_id: templated.describe('Example: "{{ secrets.client_id }}"'),
      client_secret: templated.describe('Example: "{{ secrets.client_secret }}"'),
      refresh_token: templated
        .default('{{ secrets.refresh_token }}')
        .describe('The refresh token; when the endpoint returns a new one it is saved to the credentials store.'),
      body: z.enum(['form', 'json']).default('form').describe('How the token request is encoded.'),
      client_auth: clientAuth,
      scope: z.string().optional().describe('OAuth scope to request.'),
    }),
    z.strictObject({
      type: z.literal('oauth2_client_credentials').describe('OAuth 2 client-credentials grant.'),
      token_url: templated.describe('Token endpoint (an allowed host).'),
      client_id: templated.describe('Example: "{{ secrets.client_id }}"'),
      client_secret: templated.describe('Example: "{{ secrets.client_secret }}"'),
      body: z.enum(['form', 'json']).default('form').describe('How the token request is encoded.'),
      client_auth: clientAuth,
      scope: z.string().optional().describe('OAuth scope to request.'),
    }),
    z.strictObject({
      type: z
        .literal('google_service_account')
        .describe(
          'A Google service-account key: a JWT signed with its private key (RS256) is exchanged for an access token (RFC 7523 jwt-bearer grant); the token is cached until it expires, a 401 fetches a new one.',
        ),
      token_url: templated
        .default('https://oauth2.googleapis.com/token')
        .describe(
          'Token endpoint (an allowed host) and the JWT audience; Google\'s by default. Not read from the key file: the source, not a credential, decides where an assertion goes. Example: "{{ client.token_url | default: https://oauth2.googleapis.com/token }}"',
        ),
      client_email: templated
        .default('{{ secrets.client_email }}')
        .describe("The service account (JWT issuer); by default the key file's client_email."),
      private_key: templated
        .default('{{ secrets.private_key }}')
        .describe("PEM RSA private key that signs the JWT; by default the key file's private_key."),
      private_key_id: templated
        .default('{{ secrets.private_key_id | default: }}')
        .describe("Sent as the JWT `kid`; by default the key file's private_key_id."),
      scope: templated.describe(
        'Space-separated OAuth scopes. Example: https://www.googleapis.com/auth/analytics.readonly',
      ),
      subject: templated
        .optional()
        .describe(
          'A user to act as (domain-wide delegation), sent as the JWT `sub`. Example: "{{ client.impersonate }}"',
        ),
    }),
  ])
  .default({ type: 'none' })
  .describe('Authentication for every request of the source.');
