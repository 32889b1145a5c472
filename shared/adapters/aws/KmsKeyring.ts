import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { KeyringDecryptError, type DataKey, type EncryptionContext, type Keyring } from '../../ports';
import { isAwsError } from './awsErrors';

export interface KmsKeyringOptions {
  client: KMSClient;
  /** Key id, ARN or alias (`alias/dif-dev`) new data keys are made under. */
  keyId: string;
}

/** KMS errors that mean "this ciphertext cannot be opened here", as opposed to an outage. */
const UNDECRYPTABLE = [
  'InvalidCiphertextException',
  'IncorrectKeyException',
  'AccessDeniedException',
  'NotFoundException',
  'DisabledException',
  'KMSInvalidStateException',
];

/**
 * Envelope-encryption master key in AWS KMS. Data keys are bound to an encryption context, which
 * KMS checks on Decrypt (and CloudTrail records), so a credential's key opens only that credential.
 *
 * @example
 * const keyring = new KmsKeyring({ client: new KMSClient({}), keyId: 'alias/dif-dev' });
 * const key = await keyring.generateDataKey({ client: 'acme', source: 'graph_ads' });
 */
export class KmsKeyring implements Keyring {
  private readonly client: KMSClient;
  private readonly keyId: string;

  constructor(options: KmsKeyringOptions) {
    this.client = options.client;
    this.keyId = options.keyId;
  }

  async generateDataKey(context: EncryptionContext, keyId?: string): Promise<DataKey> {
    const response = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: keyId ?? this.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    if (!response.Plaintext || !response.CiphertextBlob) {
      throw new Error(`KMS GenerateDataKey returned no key material for ${keyId ?? this.keyId}`);
    }
    return {
      plaintext: Buffer.from(response.Plaintext),
      encrypted: Buffer.from(response.CiphertextBlob),
      keyId: response.KeyId ?? keyId ?? this.keyId,
    };
  }

  async decryptDataKey(encrypted: Buffer, context: EncryptionContext): Promise<Buffer> {
    try {
      const response = await this.client.send(
        new DecryptCommand({ CiphertextBlob: encrypted, EncryptionContext: context }),
      );
      if (!response.Plaintext) throw new KeyringDecryptError('KMS Decrypt returned no plaintext');
      return Buffer.from(response.Plaintext);
    } catch (error) {
      const name = UNDECRYPTABLE.find((code) => isAwsError(error, code));
      if (name) {
        throw new KeyringDecryptError(
          `KMS could not decrypt the data key (${name}) for context ${JSON.stringify(context)}: the credential was encrypted under another key or context, or this role may not use the key; re-enter it with \`dif credentials put\``,
        );
      }
      throw error;
    }
  }

  currentKeyId(): string {
    return this.keyId;
  }
}
