import type { IncomingMessage } from 'node:http';

/** How a careless API writes a credential back into an error body. */
export type EchoEncoding =
  'raw' | 'json_slash' | 'percent_lower' | 'base64' | 'base64url' | 'hex' | 'upper' | 'html_entities';

const ENCODERS: Record<EchoEncoding, (value: string) => string> = {
  raw: (value) => value,
  json_slash: (value) => JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/'),
  percent_lower: (value) => encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  base64: (value) => Buffer.from(value).toString('base64'),
  base64url: (value) => Buffer.from(value).toString('base64url'),
  hex: (value) => Buffer.from(value).toString('hex'),
  upper: (value) => value.toUpperCase(),
  html_entities: (value) => value.replace(/[&<>"'/]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
};

/**
 * The error body of an API that quotes the credential it was sent (bearer token, `X-Api-Key`
 * header or `api_key` query parameter) in `encoding`, as some real APIs do in their 401 messages.
 * Used by leak tests: whatever DIF does with the error, the credential must not come out.
 *
 * @example
 * echoCredentialsBody(request, 'hex'); // '{"error":{"code":190,"message":"invalid token 6465…"}}'
 */
export function echoCredentialsBody(request: IncomingMessage, encoding: EchoEncoding): string {
  const url = new URL(request.url ?? '/', 'http://demo');
  const authorization = request.headers.authorization ?? '';
  const apiKey = request.headers['x-api-key'];
  const credential =
    (authorization.startsWith('Bearer ') ? authorization.slice(7) : authorization) ||
    (typeof apiKey === 'string' ? apiKey : '') ||
    url.searchParams.get('api_key') ||
    '';
  // Spliced as text: the encoded form is what the body holds, byte for byte.
  return `{"error":{"code":190,"message":"invalid token ${ENCODERS[encoding](credential)} (${encoding})"}}`;
}
