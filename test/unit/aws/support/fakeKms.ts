import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * KMS as the SDK sees it, with KMS's rule that a data key opens only under the encryption
 * context it was made with (there is no KMS emulator on npm). Returns the mock to restore.
 */
export function fakeKms() {
  const keys = new Map<string, { plaintext: Buffer; context: string }>();
  const canonical = (context: Record<string, string> | undefined) =>
    JSON.stringify(Object.entries(context ?? {}).sort());
  const mock = mockClient(KMSClient);
  mock.on(GenerateDataKeyCommand).callsFake((input: { KeyId: string; EncryptionContext?: Record<string, string> }) => {
    const plaintext = randomBytes(32);
    const blob = randomBytes(48);
    keys.set(blob.toString('base64'), { plaintext, context: canonical(input.EncryptionContext) });
    return {
      Plaintext: new Uint8Array(plaintext),
      CiphertextBlob: new Uint8Array(blob),
      KeyId: `arn:aws:kms:eu-west-1:123456789012:key/${input.KeyId}`,
    };
  });
  mock
    .on(DecryptCommand)
    .callsFake((input: { CiphertextBlob: Uint8Array; EncryptionContext?: Record<string, string> }) => {
      const entry = keys.get(Buffer.from(input.CiphertextBlob).toString('base64'));
      if (!entry || entry.context !== canonical(input.EncryptionContext)) {
        throw Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' });
      }
      return { Plaintext: new Uint8Array(entry.plaintext) };
    });
  return mock;
}
