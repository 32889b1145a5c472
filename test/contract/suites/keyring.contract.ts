import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyringDecryptError, type Keyring } from '../../../shared/ports/Keyring';

export interface KeyringFixture {
  keyring: Keyring;
  cleanup(): Promise<void>;
}

const ACME = { client: 'acme', source: 'graph_ads' };

/**
 * The {@link Keyring} contract (envelope encryption's master-key half): a data key opens only
 * with the context it was made for, and any change to the wrapped key is detected.
 */
export function describeKeyringContract(adapterName: string, factory: () => Promise<KeyringFixture>): void {
  describe(`Keyring contract: ${adapterName}`, () => {
    let fixture: KeyringFixture;
    let keyring: Keyring;

    beforeEach(async () => {
      fixture = await factory();
      keyring = fixture.keyring;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('makes a fresh 32-byte data key that decrypts back with the same context', async () => {
      const first = await keyring.generateDataKey(ACME);
      const second = await keyring.generateDataKey(ACME);
      expect(first.plaintext).toHaveLength(32);
      expect(first.plaintext.equals(second.plaintext)).toBe(false);
      // KMS answers with the key's ARN even when asked through an alias, so only the presence of
      // a key id is part of the contract.
      expect(first.keyId).toMatch(/\S/);
      expect((await keyring.decryptDataKey(first.encrypted, ACME)).equals(first.plaintext)).toBe(true);
    });

    it('refuses to open a data key with another client or source in the context', async () => {
      const key = await keyring.generateDataKey(ACME);
      await expect(
        keyring.decryptDataKey(key.encrypted, { client: 'globex', source: 'graph_ads' }),
      ).rejects.toBeInstanceOf(KeyringDecryptError);
      await expect(keyring.decryptDataKey(key.encrypted, { client: 'acme', source: 'other' })).rejects.toBeInstanceOf(
        KeyringDecryptError,
      );
    });

    it('detects a wrapped data key that was tampered with', async () => {
      const key = await keyring.generateDataKey(ACME);
      const tampered = Buffer.from(key.encrypted);
      tampered[tampered.length - 1]! ^= 0x01;
      await expect(keyring.decryptDataKey(tampered, ACME)).rejects.toBeInstanceOf(KeyringDecryptError);
    });
  });
}
