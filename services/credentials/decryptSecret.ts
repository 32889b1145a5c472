import { KeyringDecryptError, type Keyring, type SecretRecord } from '../../shared/ports';
import { gcmOpen, SealedBoxError } from './aesGcm';
import { contextAad, credentialContext } from './encryptionContext';
import { CredentialDecryptError } from './errors';
import type { SecretValues } from './types';

/**
 * Opens a stored credential: the keyring (KMS Decrypt) unwraps the data key under the record's
 * `{client, source}` context, then AES-256-GCM authenticates and decrypts the values. Any
 * mismatch or alteration is a {@link CredentialDecryptError} that names client and source only.
 *
 * @example
 * const values = await decryptSecret(keyring, await records.get('acme', 'ads'));
 */
export async function decryptSecret(keyring: Keyring, record: SecretRecord): Promise<SecretValues> {
  const context = credentialContext(record.client, record.source);
  let dataKey: Buffer;
  try {
    dataKey = await keyring.decryptDataKey(Buffer.from(record.encryptedDataKey, 'base64'), context);
  } catch (error) {
    if (!(error instanceof KeyringDecryptError)) throw error;
    throw new CredentialDecryptError(
      record.client,
      record.source,
      `the data key did not open under key ${record.keyId} (${error.message})`,
      { cause: error },
    );
  }
  let plaintext: Buffer | undefined;
  try {
    plaintext = gcmOpen(dataKey, contextAad(context), Buffer.from(record.ciphertext, 'base64'));
    return parseValues(record, plaintext);
  } catch (error) {
    if (!(error instanceof SealedBoxError)) throw error;
    throw new CredentialDecryptError(record.client, record.source, `the ${error.message}`, { cause: error });
  } finally {
    dataKey.fill(0);
    plaintext?.fill(0);
  }
}

function parseValues(record: SecretRecord, plaintext: Buffer): SecretValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext.toString('utf8'));
  } catch {
    // Authenticated but not JSON: written by something else. Never echo the parser's message, it quotes the text.
    throw new CredentialDecryptError(record.client, record.source, 'the decrypted content is not a JSON object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CredentialDecryptError(record.client, record.source, 'the decrypted content is not a JSON object');
  }
  return parsed as SecretValues;
}
