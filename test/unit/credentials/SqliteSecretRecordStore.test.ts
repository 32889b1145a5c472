import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteSecretRecordStore } from '../../../shared/adapters/local/SqliteSecretRecordStore';
import type { SecretRecord } from '../../../shared/ports';
import { makeTempDir } from './support/tempDir';

function record(version: number, overrides: Partial<SecretRecord> = {}): SecretRecord {
  return {
    client: 'acme',
    source: 'graph_ads',
    version,
    ciphertext: `ct-${version}`,
    encryptedDataKey: `dk-${version}`,
    keyId: 'local-1',
    fields: ['access_token', 'app_id'],
    createdAt: '2026-01-01T00:00:00.000Z',
    rotatedAt: `2026-01-0${version}T00:00:00.000Z`,
    ...overrides,
  };
}

describe('SqliteSecretRecordStore', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let store: SqliteSecretRecordStore;
  beforeEach(async () => {
    temp = await makeTempDir('secrets');
    store = SqliteSecretRecordStore.inDataDir(temp.dir);
  });
  afterEach(async () => {
    store.close();
    await temp.remove();
  });

  it('creates secrets.db owner-only, and its write-ahead log and shared-memory files too', async () => {
    expect((await stat(join(temp.dir, 'secrets.db'))).mode & 0o077).toBe(0);
    await store.put(record(1));
    // SQLite gives -wal and -shm the permissions of the database file.
    for (const file of ['secrets.db-wal', 'secrets.db-shm'])
      expect((await stat(join(temp.dir, file))).mode & 0o077, file).toBe(0);
  });

  it('writes version 1 only when nothing exists, then each version only over its predecessor', async () => {
    expect(await store.get('acme', 'graph_ads')).toBeUndefined();
    expect(await store.put(record(1))).toBe(true);
    expect(await store.put(record(1, { ciphertext: 'other' }))).toBe(false);
    expect(await store.put(record(3))).toBe(false);
    expect(await store.put(record(2))).toBe(true);
    expect(await store.put(record(2, { ciphertext: 'loser' }))).toBe(false);
    expect(await store.get('acme', 'graph_ads')).toEqual(record(2));
  });

  it('sees writes of another connection to the same file (conditional across processes)', async () => {
    const other = new SqliteSecretRecordStore(store.file);
    try {
      expect(await store.put(record(1))).toBe(true);
      expect(await other.put(record(2))).toBe(true);
      expect(await store.put(record(2, { ciphertext: 'stale' }))).toBe(false);
      expect((await store.get('acme', 'graph_ads'))?.ciphertext).toBe('ct-2');
    } finally {
      other.close();
    }
  });

  it('lists in client, source order and deletes', async () => {
    await store.put(record(1, { client: 'zeta' }));
    await store.put(record(1, { client: 'acme', source: 'search' }));
    await store.put(record(1));
    expect((await store.list()).map((entry) => `${entry.client}/${entry.source}`)).toEqual([
      'acme/graph_ads',
      'acme/search',
      'zeta/graph_ads',
    ]);
    await store.delete('acme', 'search');
    await store.delete('acme', 'missing');
    expect(await store.list()).toHaveLength(2);
    expect(await store.put(record(1, { source: 'search' }))).toBe(true);
  });
});
