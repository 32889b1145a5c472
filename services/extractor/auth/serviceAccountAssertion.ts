import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** What a service account asserts about itself in the JWT it signs (RFC 7523 §3). */
export interface ServiceAccountClaims {
  /** `iss`: the service account's e-mail (`client_email` of its JSON key). */
  clientEmail: string;
  /** Space-separated OAuth scopes the token is asked for. */
  scope: string;
  /** `aud`: the token endpoint the assertion is sent to. */
  audience: string;
  /** `sub`: a user to act as (Google Workspace domain-wide delegation); absent for the account itself. */
  subject?: string;
  /** `kid` header: the key's id (`private_key_id`), so the issuer picks the right public key. */
  keyId?: string;
  /** When the assertion is made, epoch ms. */
  nowMs: number;
}

/** Google refuses assertions that live longer than an hour. */
const ASSERTION_LIFETIME_S = 3600;

/** The stored private key is not an RSA private key in PEM; `detail` says what was found instead. */
export class PrivateKeyFormatError extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'PrivateKeyFormatError';
  }
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/**
 * Reads a PEM private key as a service-account JSON key holds it. A key pasted with its `\n`
 * escapes left as two characters (copied out of the JSON text rather than parsed) is accepted.
 */
export function readServiceAccountKey(pem: string): KeyObject {
  const text = pem.includes('\\n') && !pem.includes('\n') ? pem.replace(/\\n/g, '\n') : pem;
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text))
    throw new PrivateKeyFormatError(
      text.trim() === ''
        ? 'it is empty'
        : 'it has no "-----BEGIN PRIVATE KEY-----" line (is it the whole key file, a public key or a key id rather than the private_key field?)',
    );
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    // node's message names the decoder failure only, never the key material.
    throw new PrivateKeyFormatError(`it is not a readable PEM private key (${(error as Error).message})`);
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new PrivateKeyFormatError(`it is a ${key.asymmetricKeyType ?? 'unknown'} key; RS256 needs an RSA key`);
  return key;
}

/**
 * A JWT bearer assertion (RFC 7523) signed with RS256: what a Google service account sends to
 * its token endpoint with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`.
 *
 * @example
 * serviceAccountAssertion(key, { clientEmail: 'dif@p.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/analytics.readonly',
 *   audience: 'https://oauth2.googleapis.com/token', nowMs: Date.now() }); // 'eyJhbGciOiJSUzI1NiIs….….…'
 */
export function serviceAccountAssertion(key: KeyObject, claims: ServiceAccountClaims): string {
  const issuedAt = Math.floor(claims.nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(claims.keyId ? { kid: claims.keyId } : {}) };
  const payload = {
    iss: claims.clientEmail,
    scope: claims.scope,
    aud: claims.audience,
    iat: issuedAt,
    exp: issuedAt + ASSERTION_LIFETIME_S,
    ...(claims.subject ? { sub: claims.subject } : {}),
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`;
}
