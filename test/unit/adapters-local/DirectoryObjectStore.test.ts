import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryObjectStore, ForeignObjectUriError, InvalidObjectKeyError } from '../../../shared/adapters/local';
import { ObjectNotFoundError } from '../../../shared/ports';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('DirectoryObjectStore (local-only behaviour)', () => {
  let dir: string;
  let store: DirectoryObjectStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dif-lake-'));
    store = new DirectoryObjectStore(join(dir, 'lake'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute'],
    ['raw/../../secrets.db', '".." segment'],
    ['raw/./a.json', '"." segment'],
    ['raw//a.json', 'empty segment'],
    ['raw/a/', 'empty segment'],
    ['raw\\a.json', 'backslash'],
    ['.incoming/x', 'reserved'],
    [`raw/${'x'.repeat(300)}`, 'longer than 255'],
  ])('rejects the key %j (%s) for every operation', async (key, reason) => {
    await expect(store.put(key, 'x')).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.put(key, 'x')).rejects.toThrow(reason);
    await expect(store.get(key)).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.head(key)).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.delete(key)).rejects.toThrow(InvalidObjectKeyError);
    expect(() => store.uri(key)).toThrow(InvalidObjectKeyError);
  });

  it('rejects list prefixes that climb out of the lake', async () => {
    await expect(store.list('../')).rejects.toThrow(InvalidObjectKeyError);
    await expect(store.list('/etc')).rejects.toThrow(InvalidObjectKeyError);
  });

  it('stores objects as files under the root, with URIs relative to the lake', async () => {
    await store.put('raw/acme/a.json', '{"a":1}');
    expect(store.uri('raw/acme/a.json')).toBe('lake:///raw/acme/a.json');
    expect(await readdir(join(dir, 'lake', 'raw', 'acme'))).toEqual(['a.json']);
  });

  it('reads the absolute file:// URLs older manifests hold, also from where the data directory used to be', () => {
    expect(store.keyFromUri(`file://${join(dir, 'lake', 'clean', 'a b', 'p-1.csv.gz')}`)).toBe('clean/a b/p-1.csv.gz');
    expect(store.keyFromUri('file:///old/place/.dif/lake/clean/acme/x/run=r1/i-part-00001.csv.gz')).toBe(
      'clean/acme/x/run=r1/i-part-00001.csv.gz',
    );
    expect(() => store.keyFromUri('lake:///../../etc/passwd')).toThrow(ForeignObjectUriError);
  });

  it('refuses URIs from outside the lake', () => {
    expect(() => store.keyFromUri(`file://${join(dir, 'elsewhere.csv')}`)).toThrow(ForeignObjectUriError);
    expect(() => store.keyFromUri('file:///etc/passwd')).toThrow(ForeignObjectUriError);
    expect(() => store.keyFromUri('s3://bucket/raw/a.json')).toThrow(ForeignObjectUriError);
    expect(() => store.keyFromUri(`file://${join(dir, 'lake')}`)).toThrow(ForeignObjectUriError);
  });

  it('leaves no temporary file behind when a body fails, and never lists uploads in progress', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('socket hang up'));
      },
    });
    await expect(store.put('raw/a.json', failing)).rejects.toThrow('socket hang up');
    expect(await readdir(join(dir, 'lake', '.incoming'))).toEqual([]);

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Readable.from(
      (async function* () {
        yield Buffer.from('part one,');
        await gate;
        yield Buffer.from('part two');
      })(),
    );
    const writing = store.put('raw/slow.csv', slow);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await store.list('')).toEqual([]);
    expect(await store.head('raw/slow.csv')).toBeUndefined();
    release();
    await writing;
    expect(await store.list('')).toEqual([{ key: 'raw/slow.csv', bytes: 17 }]);
  });

  it('ends concurrent writes of one key with one whole version', async () => {
    const versions = ['a'.repeat(100_000), 'b'.repeat(50_000), 'c'.repeat(75_000)];
    await Promise.all(
      versions.map((body) => store.put('clean/part.csv', Readable.from([body.slice(0, 10), body.slice(10)]))),
    );
    expect(versions).toContain(await text(await store.get('clean/part.csv')));
  });

  it('treats a folder as absent and ignores stray files outside its key space', async () => {
    await store.put('raw/a/b.json', '1');
    await expect(store.get('raw/a')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.head('raw/a')).toBeUndefined();
    await mkdir(join(dir, 'lake', 'raw', 'empty'), { recursive: true });
    await writeFile(join(dir, 'lake', 'raw', 'a', 'c.json'), '22');
    expect(await store.list('raw/')).toEqual([
      { key: 'raw/a/b.json', bytes: 1 },
      { key: 'raw/a/c.json', bytes: 2 },
    ]);
  });

  it('reads objects written by another instance on the same folder', async () => {
    await store.put('raw/x.json', 'shared');
    const other = new DirectoryObjectStore(join(dir, 'lake'));
    expect(await text(await other.get('raw/x.json'))).toBe('shared');
  });
});
