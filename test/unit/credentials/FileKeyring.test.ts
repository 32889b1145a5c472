import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyring, KeyringFileError } from '../../../shared/adapters/local/FileKeyring';
import { KeyringDecryptError } from '../../../shared/ports';
import { makeTempDir } from './support/tempDir';

const acme = { client: 'acme', source: 'graph_ads' };

describe('FileKeyring', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let path: string;
  beforeEach(async () => {
    temp = await makeTempDir('keyring');
    path = join(temp.dir, 'nested', 'keyring.json');
  });
  afterEach(() => temp.remove());

  it('creates the keyring file with mode 0600 and one current key', async () => {
    const keyring = await FileKeyring.open(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(keyring.keyIds()).toEqual([keyring.currentKeyId()]);
    const reopened = await FileKeyring.open(path);
    expect(reopened.currentKeyId()).toBe(keyring.currentKeyId());
  });

  it.each([0o644, 0o640, 0o604, 0o620])('refuses a keyring file with mode %o and says how to fix it', async (mode) => {
    await FileKeyring.open(path);
    await chmod(path, mode);
    const opening = FileKeyring.open(path);
    await expect(opening).rejects.toBeInstanceOf(KeyringFileError);
    await expect(opening).rejects.toThrow(`chmod 600 ${path}`);
    await chmod(path, 0o600);
    await expect(FileKeyring.open(path)).resolves.toBeInstanceOf(FileKeyring);
  });

  it('refuses to create a missing file when create is false', async () => {
    await expect(FileKeyring.open(path, { create: false })).rejects.toThrow(/does not exist/);
  });

  it('names a corrupt keyring file', async () => {
    await FileKeyring.open(path);
    await writeFile(path, '{"format":1,"current":"x","keys":[]}', { mode: 0o600 });
    await expect(FileKeyring.open(path)).rejects.toThrow(/is not a DIF keyring: keys/);
    await writeFile(path, 'not json', { mode: 0o600 });
    await expect(FileKeyring.open(path)).rejects.toThrow(/not valid JSON/);
  });

  it('wraps a random 32-byte data key that unwraps only under the same context', async () => {
    const keyring = await FileKeyring.open(path);
    const dataKey = await keyring.generateDataKey(acme);
    expect(dataKey.plaintext).toHaveLength(32);
    expect(dataKey.keyId).toBe(keyring.currentKeyId());
    expect(dataKey.encrypted.includes(dataKey.plaintext)).toBe(false);
    expect(await keyring.decryptDataKey(dataKey.encrypted, { source: 'graph_ads', client: 'acme' })).toEqual(
      dataKey.plaintext,
    );

    await expect(
      keyring.decryptDataKey(dataKey.encrypted, { client: 'globex', source: 'graph_ads' }),
    ).rejects.toBeInstanceOf(KeyringDecryptError);
    await expect(keyring.decryptDataKey(dataKey.encrypted, { client: 'acme', source: 'other' })).rejects.toThrow(
      /encryption context does not match/,
    );
    await expect(keyring.decryptDataKey(dataKey.encrypted, { ...acme, extra: 'x' })).rejects.toBeInstanceOf(
      KeyringDecryptError,
    );
    const second = await keyring.generateDataKey(acme);
    expect(second.plaintext).not.toEqual(dataKey.plaintext);
  });

  it('fails authentication when any byte of the encrypted data key is flipped', async () => {
    const keyring = await FileKeyring.open(path);
    const { encrypted } = await keyring.generateDataKey(acme);
    for (let index = 0; index < encrypted.length; index++) {
      const tampered = Buffer.from(encrypted);
      tampered[index]! ^= 0x01;
      await expect(keyring.decryptDataKey(tampered, acme), `byte ${index}`).rejects.toBeInstanceOf(KeyringDecryptError);
    }
    await expect(keyring.decryptDataKey(encrypted.subarray(0, 20), acme)).rejects.toThrow(/malformed/);
  });

  it('does not open data keys of another keyring', async () => {
    const mine = await FileKeyring.open(path);
    const theirs = await FileKeyring.open(join(temp.dir, 'other.json'));
    const { encrypted } = await theirs.generateDataKey(acme);
    await expect(mine.decryptDataKey(encrypted, acme)).rejects.toThrow(/is not in keyring/);
  });

  it('rotates: a new current key, old data keys still open, other instances pick the new key up', async () => {
    const keyring = await FileKeyring.open(path);
    const otherProcess = await FileKeyring.open(path);
    const oldId = keyring.currentKeyId();
    const old = await keyring.generateDataKey(acme);

    const newId = await keyring.rotate();
    expect(newId).not.toBe(oldId);
    expect(keyring.currentKeyId()).toBe(newId);
    expect(keyring.keyIds()).toEqual([oldId, newId]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const fresh = await keyring.generateDataKey(acme);
    expect(fresh.keyId).toBe(newId);
    expect(await keyring.decryptDataKey(old.encrypted, acme)).toEqual(old.plaintext);
    expect(await otherProcess.decryptDataKey(fresh.encrypted, acme)).toEqual(fresh.plaintext);
    expect((await keyring.generateDataKey(acme, oldId)).keyId).toBe(oldId);
    await expect(keyring.generateDataKey(acme, 'local-missing')).rejects.toThrow(
      /master key local-missing is not in keyring/,
    );

    const reopened = await FileKeyring.open(path);
    expect(reopened.currentKeyId()).toBe(newId);
    expect(JSON.parse(await readFile(path, 'utf8')).keys).toHaveLength(2);
  });
});
