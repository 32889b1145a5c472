/** Binds a data key to what it protects; a key made for one context cannot be opened with another. */
export type EncryptionContext = Record<string, string>;

export interface DataKey {
  /** 32 bytes for AES-256-GCM. Keep only in memory; zero it after use. */
  plaintext: Buffer;
  /** The data key encrypted under the master key; safe to store. */
  encrypted: Buffer;
  /** Which master key encrypted it. */
  keyId: string;
}

/**
 * Master-key operations for envelope encryption (KMS GenerateDataKey/Decrypt).
 *
 * Adapters: `FileKeyring` (local AES-256-GCM keyring in a 0600 file), `KmsKeyring` (aws).
 */
export interface Keyring {
  generateDataKey(context: EncryptionContext, keyId?: string): Promise<DataKey>;
  /** Throws {@link KeyringDecryptError} when the key or context does not match. */
  decryptDataKey(encrypted: Buffer, context: EncryptionContext): Promise<Buffer>;
  /** The key id new data keys are made under. */
  currentKeyId(): string;
}

export class KeyringDecryptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyringDecryptError';
  }
}
