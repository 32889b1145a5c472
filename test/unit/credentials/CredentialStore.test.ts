import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyring } from '../../../shared/adapters/local/FileKeyring';
import { SqliteSecretRecordStore } from '../../../shared/adapters/local/SqliteSecretRecordStore';
import { clearRegisteredSecrets, redact } from '../../../shared/log/secretRedactor';
import type { SecretRecord, SecretRecordStore } from '../../../shared/ports';
import {
  CredentialNotFoundError,
  CredentialStore,
  CredentialWriteConflictError,
  InvalidCredentialValuesError,
} from '../../../services/credentials';
import { InProcessLockManager } from '../../../shared/adapters/local/InProcessLockManager';
import { makeTempDir } from './support/tempDir';

/** Delegates to a real store, counting lost conditional writes and yielding so writers interleave. */
class CountingRecords implements SecretRecordStore {
  lostWrites = 0;
  constructor(private readonly inner: SecretRecordStore) {}
  async get(client: string, source: string) {
    const record = await this.inner.get(client, source);
    await new Promise((resolve) => setImmediate(resolve));
    return record;
  }
  async put(record: SecretRecord) {
    const won = await this.inner.put(record);
    if (!won) this.lostWrites++;
    return won;
  }
  list() {
    return this.inner.list();
  }
  delete(client: string, source: string) {
    return this.inner.delete(client, source);
  }
}

describe('CredentialStore', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let keyring: FileKeyring;
  let records: SqliteSecretRecordStore;
  let opened: SqliteSecretRecordStore[];
  let clock: number;
  const now = () => new Date(clock);
  const makeStore = (
    options: {
      cacheTtlMs?: number;
      locks?: InProcessLockManager;
      records?: SecretRecordStore;
      maxWriteAttempts?: number;
    } = {},
  ) =>
    new CredentialStore({
      records: options.records ?? records,
      keyring,
      locks: options.locks ?? new InProcessLockManager(),
      now,
      cacheTtlMs: options.cacheTtlMs,
      maxWriteAttempts: options.maxWriteAttempts,
    });
  const connection = () => {
    const store = new SqliteSecretRecordStore(records.file);
    opened.push(store);
    return store;
  };

  beforeEach(async () => {
    temp = await makeTempDir('credstore');
    keyring = await FileKeyring.open(join(temp.dir, 'keyring.json'));
    records = SqliteSecretRecordStore.inDataDir(temp.dir);
    opened = [records];
    clock = Date.parse('2026-03-01T10:00:00Z');
    clearRegisteredSecrets();
  });
  afterEach(async () => {
    for (const store of opened) store.close();
    await temp.remove();
  });

  it('puts and gets back the values, and registers them for redaction', async () => {
    const store = makeStore();
    const meta = await store.put('acme', 'graph_ads', { access_token: 'tok-AAAA-1111', app_id: 'app-42' });
    expect(meta).toMatchObject({
      client: 'acme',
      source: 'graph_ads',
      version: 1,
      fields: ['access_token', 'app_id'],
      createdAt: '2026-03-01T10:00:00.000Z',
    });
    clearRegisteredSecrets();
    const reader = makeStore();
    expect(await reader.get('acme', 'graph_ads')).toEqual({ access_token: 'tok-AAAA-1111', app_id: 'app-42' });
    expect(redact('sent Bearer tok-AAAA-1111 for app-42')).toBe('sent Bearer [REDACTED] for [REDACTED]');
  });

  it('replaces all fields on put, keeping createdAt and bumping the version', async () => {
    const store = makeStore();
    await store.put('acme', 'graph_ads', { access_token: 'first-token', app_id: 'app-42' });
    clock += 60_000;
    const meta = await store.put('acme', 'graph_ads', { api_key: 'key-value-2' });
    expect(meta).toMatchObject({
      version: 2,
      fields: ['api_key'],
      createdAt: '2026-03-01T10:00:00.000Z',
      rotatedAt: '2026-03-01T10:01:00.000Z',
    });
    expect(await makeStore().get('acme', 'graph_ads')).toEqual({ api_key: 'key-value-2' });
  });

  it('rejects values that are not a flat object of non-empty strings without echoing them', async () => {
    const store = makeStore();
    await expect(store.put('acme', 'ads', { token: 12345678 })).rejects.toThrow(
      'field "token" is number, not a string',
    );
    await expect(store.put('acme', 'ads', { 'bad name': 'hunter2-secret' })).rejects.toBeInstanceOf(
      InvalidCredentialValuesError,
    );
    await expect(store.put('acme', 'ads', { token: '' })).rejects.toThrow(/field "token" is empty/);
    await expect(store.put('acme', 'ads', {})).rejects.toThrow(/no fields/);
    const error = (await store.put('acme', 'ads', { token: { nested: 'hunter2-secret' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as Error;
    expect(error.message).not.toContain('hunter2');
  });

  it('says which credential is missing and how to add it', async () => {
    const store = makeStore();
    await expect(store.get('acme', 'nope')).rejects.toBeInstanceOf(CredentialNotFoundError);
    await expect(store.get('acme', 'nope')).rejects.toThrow('dif credentials put --client acme --source nope');
    await expect(store.rotate('acme', 'nope', { refresh_token: 'rt-new-value' })).rejects.toBeInstanceOf(
      CredentialNotFoundError,
    );
  });

  it('serves reads from the cache until it expires, then reads the store again', async () => {
    await makeStore().put('acme', 'graph_ads', { access_token: 'version-one' });
    const reader = makeStore({ cacheTtlMs: 30_000 });
    expect(await reader.get('acme', 'graph_ads')).toEqual({ access_token: 'version-one' });

    await makeStore().put('acme', 'graph_ads', { access_token: 'version-two' });
    clock += 29_000;
    expect(await reader.get('acme', 'graph_ads')).toEqual({ access_token: 'version-one' });
    expect(await reader.get('acme', 'graph_ads', { fresh: true })).toEqual({ access_token: 'version-two' });

    await makeStore().put('acme', 'graph_ads', { access_token: 'version-three' });
    clock += 29_999;
    expect(await reader.get('acme', 'graph_ads')).toEqual({ access_token: 'version-two' });
    clock += 1;
    expect(await reader.get('acme', 'graph_ads')).toEqual({ access_token: 'version-three' });

    const uncached = makeStore({ cacheTtlMs: 0 });
    await uncached.get('acme', 'graph_ads');
    await makeStore().put('acme', 'graph_ads', { access_token: 'version-four' });
    expect(await uncached.get('acme', 'graph_ads')).toEqual({ access_token: 'version-four' });
  });

  it('hands out copies, so a caller cannot change the cached values', async () => {
    const store = makeStore();
    await store.put('acme', 'ads', { token: 'original-token' });
    const values = await store.get('acme', 'ads');
    values.token = 'mutated';
    expect(await store.get('acme', 'ads')).toEqual({ token: 'original-token' });
  });

  it('rotate merges changes into the stored fields and updates the writer’s cache', async () => {
    const store = makeStore();
    await store.put('acme', 'oauth_ads', {
      client_id: 'cid-1',
      client_secret: 'cs-secret-1',
      refresh_token: 'rt-1-old',
    });
    await store.get('acme', 'oauth_ads');
    clock += 5_000;
    const meta = await store.merge('acme', 'oauth_ads', { refresh_token: 'rt-2-new', access_token: 'at-2-new' });
    expect(meta).toMatchObject({
      version: 2,
      fields: ['access_token', 'client_id', 'client_secret', 'refresh_token'],
      rotatedAt: '2026-03-01T10:00:05.000Z',
    });
    expect(await store.get('acme', 'oauth_ads')).toEqual({
      client_id: 'cid-1',
      client_secret: 'cs-secret-1',
      refresh_token: 'rt-2-new',
      access_token: 'at-2-new',
    });
    expect(await makeStore().get('acme', 'oauth_ads')).toEqual(await store.get('acme', 'oauth_ads'));
  });

  describe.each([
    ['sharing one lock manager', true],
    ['whose locks do not exclude each other (expired Redis lock)', false],
  ])('concurrent rotation by several workers %s', (_label, sharedLock) => {
    it('keeps the newest token of every worker and loses no field', async () => {
      await makeStore().put('acme', 'oauth_ads', {
        client_id: 'cid-1',
        client_secret: 'cs-secret-1',
        refresh_token: 'rt-initial',
      });
      const shared = new InProcessLockManager();
      const counting = Array.from({ length: 4 }, () => new CountingRecords(connection()));
      const workers = counting.map((workerRecords) =>
        makeStore({
          records: workerRecords,
          locks: sharedLock ? shared : new InProcessLockManager(),
          maxWriteAttempts: 50,
        }),
      );
      const commits: { version: number; token: string }[] = [];

      await Promise.all(
        workers.map(async (worker, w) => {
          for (let round = 1; round <= 5; round++) {
            const token = `rt-w${w}-r${round}`;
            const meta = await worker.merge('acme', 'oauth_ads', { refresh_token: token, [`last_seen_${w}`]: token });
            commits.push({ version: meta.version, token });
          }
        }),
      );

      const final = await makeStore().get('acme', 'oauth_ads');
      const newest = commits.reduce((best, commit) => (commit.version > best.version ? commit : best));
      expect(new Set(commits.map((commit) => commit.version)).size).toBe(20);
      expect((await records.get('acme', 'oauth_ads'))?.version).toBe(21);
      expect(final.refresh_token).toBe(newest.token);
      expect(final).toMatchObject({
        client_id: 'cid-1',
        client_secret: 'cs-secret-1',
        last_seen_0: 'rt-w0-r5',
        last_seen_1: 'rt-w1-r5',
        last_seen_2: 'rt-w2-r5',
        last_seen_3: 'rt-w3-r5',
      });
      const lost = counting.reduce((sum, workerRecords) => sum + workerRecords.lostWrites, 0);
      if (sharedLock) expect(lost).toBe(0);
      else expect(lost).toBeGreaterThan(0);
    });
  });

  it('gives up with a conflict error (naming no value) when other writers keep winning', async () => {
    await makeStore().put('acme', 'ads', { token: 'token-0' });
    const alwaysLoses: SecretRecordStore = {
      get: (c, s) => records.get(c, s),
      put: async () => false,
      list: () => records.list(),
      delete: (c, s) => records.delete(c, s),
    };
    const store = makeStore({ records: alwaysLoses, maxWriteAttempts: 3 });
    const error = (await store.rotate('acme', 'ads', { token: 'token-secret-9' }).then(
      () => undefined,
      (caught: unknown) => caught,
    )) as Error;
    expect(error).toBeInstanceOf(CredentialWriteConflictError);
    expect(error.message).toContain('3 times');
    expect(error.message).not.toContain('token-secret-9');
    expect(await makeStore().get('acme', 'ads')).toEqual({ token: 'token-0' });
  });

  it('lists metadata only and deletes', async () => {
    const store = makeStore();
    await store.put('acme', 'graph_ads', { access_token: 'at-value-1' });
    await store.put('globex', 'search', { api_key: 'ak-value-2', secret: 'sv-value-3' });
    const listed = await store.list();
    expect(listed.map((meta) => Object.keys(meta).sort())).toEqual([
      ['client', 'createdAt', 'fields', 'keyId', 'rotatedAt', 'source', 'version'],
      ['client', 'createdAt', 'fields', 'keyId', 'rotatedAt', 'source', 'version'],
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/value-\d/);
    expect(await store.describe('globex', 'search')).toMatchObject({ fields: ['api_key', 'secret'], version: 1 });
    expect(await store.delete('acme', 'graph_ads')).toBe(true);
    expect(await store.delete('acme', 'graph_ads')).toBe(false);
    await expect(store.get('acme', 'graph_ads')).rejects.toBeInstanceOf(CredentialNotFoundError);
  });

  it('re-encrypts every secret under a rotated master key, keeping values and skipping those already moved', async () => {
    const store = makeStore();
    await store.put('acme', 'graph_ads', { access_token: 'at-value-1' });
    await store.put('globex', 'search', { api_key: 'ak-value-2' });
    const oldKey = keyring.currentKeyId();
    const newKey = await keyring.rotate();
    await store.put('initech', 'crm', { password: 'pw-value-3' });

    const summary = await store.reencrypt();
    expect(summary.keyId).toBe(newKey);
    expect(summary.moved.map((meta) => `${meta.client}:${meta.version}:${meta.keyId}`)).toEqual([
      `acme:2:${newKey}`,
      `globex:2:${newKey}`,
    ]);
    expect(summary.skipped.map((meta) => meta.client)).toEqual(['initech']);
    expect(summary.failed).toEqual([]);
    const fresh = makeStore();
    expect(await fresh.get('acme', 'graph_ads')).toEqual({ access_token: 'at-value-1' });
    expect(await fresh.get('globex', 'search')).toEqual({ api_key: 'ak-value-2' });

    const back = await store.reencrypt(oldKey);
    expect(back.moved).toHaveLength(3);
    expect((await store.list()).every((meta) => meta.keyId === oldKey)).toBe(true);
    expect((await store.reencrypt(oldKey, { force: true })).moved).toHaveLength(3);
  });

  it('reports records it cannot decrypt during re-encryption and leaves them untouched', async () => {
    const store = makeStore();
    await store.put('acme', 'graph_ads', { access_token: 'at-value-1' });
    await store.put('globex', 'search', { api_key: 'ak-value-2' });
    const damaged = (await records.get('globex', 'search'))!;
    await records.put({
      ...damaged,
      version: 2,
      client: 'globex',
      ciphertext: Buffer.from('x'.repeat(40)).toString('base64'),
    });
    await keyring.rotate();
    const summary = await store.reencrypt();
    expect(summary.moved.map((meta) => meta.client)).toEqual(['acme']);
    expect(summary.failed).toEqual([
      { client: 'globex', source: 'search', reason: expect.stringContaining('could not be decrypted') },
    ]);
    expect((await records.get('globex', 'search'))?.version).toBe(2);
  });
});
