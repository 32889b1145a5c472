/**
 * Where the credentials of a client × source are stored: its own record, or a shared credential
 * that several clients reference (`credentials: { ref: agency-amazon }` in the client's source
 * entry), stored once as client {@link SHARED_CREDENTIALS} with the ref as its source name.
 */
export interface CredentialKey {
  client: string;
  source: string;
}

/** The client name shared credentials are stored under; no client can be called this (`@` is not allowed). */
export const SHARED_CREDENTIALS = '@shared';

/** Names of shared credentials: letters, digits, `_` and `-`, e.g. `agency-amazon`. */
export const CREDENTIAL_REF = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/**
 * The stored credential a client's source uses.
 *
 * @example
 * credentialKeyOf('acme', 'sponsored_ads', { credentials: { ref: 'agency-amazon' } }); // { client: '@shared', source: 'agency-amazon' }
 * credentialKeyOf('acme', 'graph_ads', {}); // { client: 'acme', source: 'graph_ads' }
 */
export function credentialKeyOf(
  client: string,
  source: string,
  clientSource: { credentials?: { ref: string } | undefined } | undefined,
): CredentialKey {
  const ref = clientSource?.credentials?.ref;
  return ref === undefined ? { client, source } : sharedCredentialKey(ref);
}

/** The key of the shared credential `ref`. */
export function sharedCredentialKey(ref: string): CredentialKey {
  return { client: SHARED_CREDENTIALS, source: ref };
}

/** The ref of a shared credential's key, or undefined for a client's own credential. */
export function sharedRefOf(key: CredentialKey): string | undefined {
  return key.client === SHARED_CREDENTIALS ? key.source : undefined;
}

/**
 * A credential named for people and messages.
 *
 * @example
 * describeCredential({ client: '@shared', source: 'agency-amazon' }); // 'shared credentials "agency-amazon"'
 * describeCredential({ client: 'acme', source: 'graph_ads' }); // 'credentials for client "acme" source "graph_ads"'
 */
export function describeCredential(key: CredentialKey): string {
  const ref = sharedRefOf(key);
  return ref === undefined
    ? `credentials for client "${key.client}" source "${key.source}"`
    : `shared credentials "${ref}"`;
}

/** The `dif credentials` options that name a credential, for messages that say what to run. */
export function credentialOptions(key: CredentialKey): string {
  const ref = sharedRefOf(key);
  return ref === undefined ? `--client ${key.client} --source ${key.source}` : `--shared ${ref}`;
}
