import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ObjectNotFoundError, type ObjectStore } from '../../../shared/ports/ObjectStore';

export interface ObjectStoreFixture {
  /** An empty store (a fresh directory, bucket or prefix). */
  store: ObjectStore;
  cleanup(): Promise<void>;
}

const MB = 1024 * 1024;

/** Reads a stream to the end, counting chunks to show the body really arrived in pieces. */
async function drain(stream: Readable): Promise<{ text: string; sha256: string; bytes: number; chunks: number }> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  let bytes = 0;
  let chunks = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    hash.update(buffer);
    bytes += buffer.length;
    chunks += 1;
    if (bytes <= 64 * 1024) parts.push(buffer);
  }
  return { text: Buffer.concat(parts).toString('utf8'), sha256: hash.digest('hex'), bytes, chunks };
}

/** A deterministic body of `total` bytes produced in 64 KiB chunks, never held whole in memory. */
function generatedBody(total: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let counter = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(64 * 1024, total - sent);
      const chunk = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4) chunk.writeUInt32LE((counter++ * 2654435761) >>> 0, Math.min(i, size - 4));
      hash.update(chunk);
      sent += size;
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

/** A body that fails after sending some bytes, like a dropped API connection. */
function failingBody(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= 3) {
        this.destroy(new Error('connection reset by peer'));
        return;
      }
      sent += 1;
      this.push(Buffer.alloc(64 * 1024, 7));
    },
  });
}

/**
 * The {@link ObjectStore} contract: streaming both ways, overwrite, not-found, sorted prefix
 * listing, delete and URIs. `factory` must return an empty store each time.
 */
export function describeObjectStoreContract(adapterName: string, factory: () => Promise<ObjectStoreFixture>): void {
  describe(`ObjectStore contract: ${adapterName}`, () => {
    let fixture: ObjectStoreFixture;
    let store: ObjectStore;

    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('round-trips string and Buffer bodies and reports their size', async () => {
      const text = 'id,name\n1,"Café ☕"\n';
      expect(await store.put('raw/acme/ads/a.csv', text, { contentType: 'text/csv' })).toEqual({
        key: 'raw/acme/ads/a.csv',
        bytes: Buffer.byteLength(text),
      });
      const binary = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
      expect(await store.put('raw/acme/ads/b.bin', binary)).toEqual({ key: 'raw/acme/ads/b.bin', bytes: 7 });

      expect((await drain(await store.get('raw/acme/ads/a.csv'))).text).toBe(text);
      const back = await drain(await store.get('raw/acme/ads/b.bin'));
      expect(back.bytes).toBe(7);
      expect(back.sha256).toBe(createHash('sha256').update(binary).digest('hex'));
      expect(await store.head('raw/acme/ads/a.csv')).toEqual({
        key: 'raw/acme/ads/a.csv',
        bytes: Buffer.byteLength(text),
      });
    });

    it('streams a multi-megabyte body in and out unchanged', async () => {
      const total = 6 * MB + 123;
      const body = generatedBody(total);
      const stored = await store.put('raw/acme/ads/big.bin', body.stream, { contentType: 'application/octet-stream' });
      expect(stored).toEqual({ key: 'raw/acme/ads/big.bin', bytes: total });

      const back = await drain(await store.get('raw/acme/ads/big.bin'));
      expect(back.bytes).toBe(total);
      expect(back.sha256).toBe(body.sha256());
      expect(back.chunks).toBeGreaterThan(1);
      expect(await store.head('raw/acme/ads/big.bin')).toEqual({ key: 'raw/acme/ads/big.bin', bytes: total });
    });

    it('reads byte ranges (start inclusive, end exclusive), empty ones included, and not-found alike', async () => {
      await store.put('raw/acme/ads/lines.jsonl', '{"a":1}\n{"a":22}\n{"a":333}\n');
      expect((await drain(await store.getRange('raw/acme/ads/lines.jsonl', 8, 17))).text).toBe('{"a":22}\n');
      expect((await drain(await store.getRange('raw/acme/ads/lines.jsonl', 0, 7))).text).toBe('{"a":1}');
      expect((await drain(await store.getRange('raw/acme/ads/lines.jsonl', 17, 28))).text).toBe('{"a":333}\n');
      expect((await drain(await store.getRange('raw/acme/ads/lines.jsonl', 5, 5))).bytes).toBe(0);
      await expect(store.getRange('raw/acme/ads/none.jsonl', 0, 4)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('replaces an object on overwrite', async () => {
      await store.put('clean/acme/ads/part-1.csv.gz', 'first version, longer');
      await store.put('clean/acme/ads/part-1.csv.gz', 'second');
      expect((await drain(await store.get('clean/acme/ads/part-1.csv.gz'))).text).toBe('second');
      expect(await store.head('clean/acme/ads/part-1.csv.gz')).toEqual({
        key: 'clean/acme/ads/part-1.csv.gz',
        bytes: 6,
      });
    });

    it('fails a put whose body fails, leaving any previous object intact', async () => {
      await expect(store.put('raw/acme/ads/broken.json', failingBody())).rejects.toThrow();
      expect(await store.head('raw/acme/ads/broken.json')).toBeUndefined();
      expect(await store.list('raw/acme/ads/broken')).toEqual([]);

      await store.put('raw/acme/ads/kept.json', '{"ok":true}');
      await expect(store.put('raw/acme/ads/kept.json', failingBody())).rejects.toThrow();
      expect((await drain(await store.get('raw/acme/ads/kept.json'))).text).toBe('{"ok":true}');
    });

    it('reports a missing object as ObjectNotFoundError, undefined head, and a harmless delete', async () => {
      const error = await store.get('raw/nothing/here.json').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect((error as ObjectNotFoundError).key).toBe('raw/nothing/here.json');
      expect(await store.head('raw/nothing/here.json')).toBeUndefined();
      await expect(store.delete('raw/nothing/here.json')).resolves.toBeUndefined();
    });

    it('lists every object under a string prefix, sorted by key, with sizes', async () => {
      const keys = [
        'raw/b/1.json',
        'raw/a/2.json',
        'clean/x.csv',
        'raw/ab.json',
        'raw/a/10.json',
        'raw/a/sub/deep/z.json',
      ];
      for (const key of keys) await store.put(key, key);

      expect(await store.list('raw/')).toEqual(
        ['raw/a/10.json', 'raw/a/2.json', 'raw/a/sub/deep/z.json', 'raw/ab.json', 'raw/b/1.json'].map((key) => ({
          key,
          bytes: key.length,
        })),
      );
      // A prefix is a string prefix, not a folder: `raw/a` also matches `raw/ab.json`.
      expect((await store.list('raw/a')).map((object) => object.key)).toEqual([
        'raw/a/10.json',
        'raw/a/2.json',
        'raw/a/sub/deep/z.json',
        'raw/ab.json',
      ]);
      expect((await store.list('raw/a/')).map((object) => object.key)).toEqual([
        'raw/a/10.json',
        'raw/a/2.json',
        'raw/a/sub/deep/z.json',
      ]);
      expect((await store.list('')).map((object) => object.key)).toEqual([...keys].sort());
      expect(await store.list('quarantine/')).toEqual([]);
    });

    it('deletes objects', async () => {
      await store.put('raw/d/1.json', '1');
      await store.put('raw/d/2.json', '2');
      await store.delete('raw/d/1.json');
      expect(await store.head('raw/d/1.json')).toBeUndefined();
      await expect(store.get('raw/d/1.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect((await store.list('raw/d/')).map((object) => object.key)).toEqual(['raw/d/2.json']);
    });

    it('maps keys to URIs and back', async () => {
      const key = 'clean/acme/graph_ads/daily_insights/dt=2026-01-01,act_1/run=r-1/item-part-0001.csv.gz';
      await store.put(key, 'x');
      const uri = store.uri(key);
      expect(uri).toMatch(/^[a-z][a-z0-9+.-]*:\/\//);
      expect(store.keyFromUri(uri)).toBe(key);
      expect(store.uri('clean/other.csv')).not.toBe(uri);
      expect(() => store.keyFromUri('https://elsewhere.example.com/x.csv')).toThrow();
    });
  });
}
