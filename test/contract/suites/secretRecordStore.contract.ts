import { racingIt, type RaceOptions } from './racingIt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SecretRecord, SecretRecordStore } from '../../../shared/ports/SecretRecordStore';

export interface SecretRecordStoreFixture {
  /** An empty store. */
  store: SecretRecordStore;
  cleanup(): Promise<void>;
}

function record(client: string, source: string, version: number, extra: Partial<SecretRecord> = {}): SecretRecord {
  return {
    client,
    source,
    version,
    ciphertext: Buffer.from(`ciphertext-${version}`).toString('base64'),
    encryptedDataKey: Buffer.from(`data-key-${version}`).toString('base64'),
    keyId: 'key-1',
    fields: ['access_token', 'refresh_token'],
    createdAt: '2026-03-01T10:00:00.000Z',
    rotatedAt: `2026-03-01T10:00:0${version}.000Z`,
    ...extra,
  };
}

/**
 * The {@link SecretRecordStore} contract: versioned records with conditional writes, so two
 * workers rotating one credential can never both win, and the loser learns it lost.
 */
export function describeSecretRecordStoreContract(
  adapterName: string,
  factory: () => Promise<SecretRecordStoreFixture>,
  options: RaceOptions = {},
): void {
  describe(`SecretRecordStore contract: ${adapterName}`, () => {
    let fixture: SecretRecordStoreFixture;
    let store: SecretRecordStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('stores a first version and returns it unchanged', async () => {
      expect(await store.get('acme', 'graph_ads')).toBeUndefined();
      const first = record('acme', 'graph_ads', 1);
      expect(await store.put(first)).toBe(true);
      expect(await store.get('acme', 'graph_ads')).toEqual(first);
    });

    it('accepts only the next version: a stale or repeated write loses', async () => {
      expect(await store.put(record('acme', 'graph_ads', 1))).toBe(true);
      expect(await store.put(record('acme', 'graph_ads', 1, { ciphertext: 'b3RoZXI=' }))).toBe(false);
      expect(await store.put(record('acme', 'graph_ads', 3))).toBe(false);
      expect(await store.put(record('acme', 'graph_ads', 2))).toBe(true);
      expect(await store.put(record('acme', 'graph_ads', 2, { ciphertext: 'bG9zZXI=' }))).toBe(false);
      expect((await store.get('acme', 'graph_ads'))?.ciphertext).toBe(record('acme', 'graph_ads', 2).ciphertext);
    });

    racingIt(
      options,
      'lets exactly one of several concurrent writers of the same version win',
    )(async () => {
      await store.put(record('acme', 'graph_ads', 1));
      const attempts = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          store.put(record('acme', 'graph_ads', 2, { ciphertext: Buffer.from(`writer-${index}`).toString('base64') })),
        ),
      );
      expect(attempts.filter(Boolean)).toHaveLength(1);
      const winner = attempts.indexOf(true);
      expect((await store.get('acme', 'graph_ads'))?.ciphertext).toBe(
        Buffer.from(`writer-${winner}`).toString('base64'),
      );
    });

    it('refuses a version above 1 for a credential that does not exist', async () => {
      expect(await store.put(record('acme', 'graph_ads', 2))).toBe(false);
      expect(await store.get('acme', 'graph_ads')).toBeUndefined();
    });

    it('keeps clients and sources apart, lists every record and deletes one', async () => {
      await store.put(record('acme', 'graph_ads', 1));
      await store.put(record('acme', 'sponsored_ads', 1));
      await store.put(record('globex', 'graph_ads', 1, { keyId: 'key-2' }));
      const listed = (await store.list()).map((entry) => `${entry.client}/${entry.source}/${entry.keyId}`).sort();
      expect(listed).toEqual(['acme/graph_ads/key-1', 'acme/sponsored_ads/key-1', 'globex/graph_ads/key-2']);
      await store.delete('acme', 'graph_ads');
      expect(await store.get('acme', 'graph_ads')).toBeUndefined();
      expect(await store.get('acme', 'sponsored_ads')).toBeDefined();
      // A deleted credential starts again at version 1.
      expect(await store.put(record('acme', 'graph_ads', 1))).toBe(true);
    });

    it('keeps a shared credential (client @shared, its ref as source) beside the clients own, versioned alike', async () => {
      await store.put(record('@shared', 'agency-amazon', 1));
      await store.put(record('acme', 'agency-amazon', 1));
      expect(await store.put(record('@shared', 'agency-amazon', 2))).toBe(true);
      expect(await store.put(record('@shared', 'agency-amazon', 2))).toBe(false);
      expect((await store.get('@shared', 'agency-amazon'))?.version).toBe(2);
      expect((await store.get('acme', 'agency-amazon'))?.version).toBe(1);
      const listed = (await store.list()).map((entry) => `${entry.client}/${entry.source}/${entry.version}`).sort();
      expect(listed).toEqual(['@shared/agency-amazon/2', 'acme/agency-amazon/1']);
    });
  });
}
