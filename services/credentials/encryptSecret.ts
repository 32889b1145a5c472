import type { Keyring, SecretRecord } from '../../shared/ports';
import { gcmSeal } from './aesGcm';
import { contextAad, credentialContext } from './encryptionContext';
import type { SecretValues } from './types';

export interface EncryptSecretInput {
  client: string;
  source: string;
  values: SecretValues;
  version: number;
  createdAt: string;
  rotatedAt: string;
  /** Master key to use; the keyring's current key when omitted. */
  keyId?: string;
}

/**
 * Envelope-encrypts one version of a credential: a fresh data key from the keyring (KMS
 * GenerateDataKey) bound to `{client, source}`, AES-256-GCM over the JSON of the values with
 * the same context as additional data. The plaintext data key is zeroed before returning.
 *
 * @example
 * const record = await encryptSecret(keyring, { client: 'acme', source: 'ads', values, version: 1, createdAt, rotatedAt: createdAt });
 */
export async function encryptSecret(keyring: Keyring, input: EncryptSecretInput): Promise<SecretRecord> {
  const context = credentialContext(input.client, input.source);
  const dataKey = await keyring.generateDataKey(context, input.keyId);
  const fields = Object.keys(input.values).sort();
  const plaintext = Buffer.from(
    JSON.stringify(Object.fromEntries(fields.map((field) => [field, input.values[field]]))),
    'utf8',
  );
  try {
    const sealed = gcmSeal(dataKey.plaintext, contextAad(context), plaintext);
    return {
      client: input.client,
      source: input.source,
      version: input.version,
      ciphertext: sealed.toString('base64'),
      encryptedDataKey: dataKey.encrypted.toString('base64'),
      keyId: dataKey.keyId,
      fields,
      createdAt: input.createdAt,
      rotatedAt: input.rotatedAt,
    };
  } finally {
    dataKey.plaintext.fill(0);
    plaintext.fill(0);
  }
}
