import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeyring } from '../../../shared/adapters/local/FileKeyring';
import {
  contextAad,
  credentialContext,
  CredentialDecryptError,
  decryptSecret,
  encryptSecret,
  gcmOpen,
  gcmSeal,
  SealedBoxError,
} from '../../../services/credentials';
import type { SecretRecord } from '../../../shared/ports';
import { makeTempDir } from './support/tempDir';

const values = { access_token: 'EAAB-secret-access-token-123', app_id: '987654321' };
const stamp = '2026-01-01T00:00:00.000Z';

function flip(base64: string, index: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[index]! ^= 0x80;
  return bytes.toString('base64');
}

describe('envelope encryption', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let keyring: FileKeyring;
  let record: SecretRecord;
  beforeAll(async () => {
    temp = await makeTempDir('envelope');
    keyring = await FileKeyring.open(join(temp.dir, 'keyring.json'));
    record = await encryptSecret(keyring, {
      client: 'acme',
      source: 'graph_ads',
      values,
      version: 1,
      createdAt: stamp,
      rotatedAt: stamp,
    });
  });
  afterAll(() => temp.remove());

  it('round-trips and stores only ciphertext, wrapped key and field names', async () => {
    expect(record).toMatchObject({
      client: 'acme',
      source: 'graph_ads',
      version: 1,
      keyId: keyring.currentKeyId(),
      fields: ['access_token', 'app_id'],
    });
    const stored = JSON.stringify(record);
    for (const value of Object.values(values)) {
      expect(stored).not.toContain(value);
      expect(stored).not.toContain(Buffer.from(value).toString('base64'));
    }
    expect(await decryptSecret(keyring, record)).toEqual(values);
  });

  it('uses a fresh data key and nonce for every version', async () => {
    const again = await encryptSecret(keyring, {
      client: 'acme',
      source: 'graph_ads',
      values,
      version: 2,
      createdAt: stamp,
      rotatedAt: stamp,
    });
    expect(again.encryptedDataKey).not.toBe(record.encryptedDataKey);
    expect(again.ciphertext.slice(0, 16)).not.toBe(record.ciphertext.slice(0, 16));
  });

  it('refuses a record of client A presented as client B (keyring context)', async () => {
    const moved = { ...record, client: 'globex' };
    const opening = decryptSecret(keyring, moved);
    await expect(opening).rejects.toBeInstanceOf(CredentialDecryptError);
    await expect(opening).rejects.toThrow(
      /client "globex" source "graph_ads" could not be decrypted: the data key did not open/,
    );
    await expect(decryptSecret(keyring, { ...record, source: 'search_ads' })).rejects.toBeInstanceOf(
      CredentialDecryptError,
    );
  });

  it('refuses a ciphertext sealed for client A opened as client B with the right data key (GCM additional data)', () => {
    const key = randomBytes(32);
    const sealed = gcmSeal(key, contextAad(credentialContext('acme', 'graph_ads')), Buffer.from('{"token":"x"}'));
    expect(gcmOpen(key, contextAad({ source: 'graph_ads', client: 'acme' }), sealed).toString()).toBe('{"token":"x"}');
    expect(() => gcmOpen(key, contextAad(credentialContext('globex', 'graph_ads')), sealed)).toThrow(SealedBoxError);
    expect(() => gcmOpen(randomBytes(32), contextAad(credentialContext('acme', 'graph_ads')), sealed)).toThrow(
      /failed authentication/,
    );
  });

  it('a ciphertext moved to client B together with a data key re-made for B still fails (GCM binds the context)', async () => {
    // The worst case at the keyring layer: B's record gets A's ciphertext and a valid data key for B.
    const forB = await encryptSecret(keyring, {
      client: 'globex',
      source: 'graph_ads',
      values: { other: 'globex-value' },
      version: 1,
      createdAt: stamp,
      rotatedAt: stamp,
    });
    const spliced = { ...forB, ciphertext: record.ciphertext };
    await expect(decryptSecret(keyring, spliced)).rejects.toThrow(/the ciphertext failed authentication/);
  });

  it.each([
    ['nonce', 0],
    ['ciphertext', 14],
    ['tag', -1],
  ])('a flipped byte in the %s fails authentication with a clear error', async (_part, position) => {
    const length = Buffer.from(record.ciphertext, 'base64').length;
    const index = position < 0 ? length + position : position;
    const opening = decryptSecret(keyring, { ...record, ciphertext: flip(record.ciphertext, index) });
    await expect(opening).rejects.toBeInstanceOf(CredentialDecryptError);
    await expect(opening).rejects.toThrow(
      'credentials for client "acme" source "graph_ads" could not be decrypted: the ciphertext failed authentication',
    );
  });

  it('a flipped byte in the encrypted data key fails in the keyring', async () => {
    const length = Buffer.from(record.encryptedDataKey, 'base64').length;
    for (const index of [0, 5, length - 40, length - 1]) {
      await expect(
        decryptSecret(keyring, { ...record, encryptedDataKey: flip(record.encryptedDataKey, index) }),
      ).rejects.toThrow(/the data key did not open/);
    }
  });

  it('error messages never carry a secret value', async () => {
    const errors: unknown[] = [];
    for (const bad of [
      { ...record, client: 'globex' },
      { ...record, ciphertext: flip(record.ciphertext, 20) },
    ]) {
      await decryptSecret(keyring, bad).catch((error: unknown) => errors.push(error));
    }
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      const text = `${(error as Error).message} ${(error as Error).stack} ${String((error as Error).cause)}`;
      for (const value of Object.values(values)) expect(text).not.toContain(value);
    }
  });
});
