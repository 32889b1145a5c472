import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForeignUriError, S3ObjectStore } from '../../../shared/adapters/aws';
import { ObjectNotFoundError } from '../../../shared/ports';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { s3Client, startS3rver, type RunningEmulator } from './support/emulators';

describe('S3ObjectStore against s3rver', () => {
  let s3: RunningEmulator;
  let store: S3ObjectStore;

  beforeAll(async () => {
    s3 = await startS3rver(['dif-test']);
    store = new S3ObjectStore({ client: s3Client(s3.endpoint), bucket: 'dif-test' });
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('streams a multipart upload of a stream larger than one part and reads it back', async () => {
    const part = 5 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const chunks = Math.ceil((part + 300 * 1024) / chunk.length);
    async function* body() {
      for (let i = 0; i < chunks; i += 1) yield chunk;
    }
    const stored = await store.put('raw/acme/ads/big.bin', Readable.from(body()));
    expect(stored).toEqual({ key: 'raw/acme/ads/big.bin', bytes: chunks * chunk.length });
    expect(await store.head('raw/acme/ads/big.bin')).toEqual({
      key: 'raw/acme/ads/big.bin',
      bytes: chunks * chunk.length,
    });
    let read = 0;
    for await (const piece of await store.get('raw/acme/ads/big.bin')) read += (piece as Buffer).length;
    expect(read).toBe(chunks * chunk.length);
  });

  it('puts strings and buffers, lists by prefix in key order, deletes', async () => {
    await store.put('clean/b/2.csv', 'two', { contentType: 'text/csv' });
    await store.put('clean/b/1.csv', Buffer.from('one!'));
    await store.put('clean/c/1.csv', 'other');
    expect(await store.list('clean/b/')).toEqual([
      { key: 'clean/b/1.csv', bytes: 4 },
      { key: 'clean/b/2.csv', bytes: 3 },
    ]);
    expect(await text(await store.get('clean/b/2.csv'))).toBe('two');
    await store.delete('clean/b/2.csv');
    expect(await store.head('clean/b/2.csv')).toBeUndefined();
    await expect(store.get('clean/b/2.csv')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('fails a put when the source stream fails, and leaves no object behind', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset by API'));
      },
    });
    await expect(store.put('raw/failing.json', failing)).rejects.toThrow(/connection reset/);
    expect(await store.head('raw/failing.json')).toBeUndefined();
  });

  it('maps keys to s3:// URIs and back, refusing other buckets', () => {
    expect(store.uri('clean/a b/x.csv.gz')).toBe('s3://dif-test/clean/a b/x.csv.gz');
    expect(store.keyFromUri('s3://dif-test/clean/a b/x.csv.gz')).toBe('clean/a b/x.csv.gz');
    expect(() => store.keyFromUri('s3://other/clean/x')).toThrow(ForeignUriError);
  });
});

// s3rver signs continuation tokens with DES, which OpenSSL 3 no longer offers, so paging is
// checked against the SDK mock instead.
describe('S3ObjectStore listing pagination', () => {
  it('follows continuation tokens until the listing is complete and sorts by key', async () => {
    const mock = mockClient(S3Client);
    mock
      .on(ListObjectsV2Command, { Prefix: 'p/', ContinuationToken: undefined })
      .resolves({
        IsTruncated: true,
        NextContinuationToken: 't1',
        Contents: [
          { Key: 'p/3', Size: 3 },
          { Key: 'p/1', Size: 1 },
        ],
      })
      .on(ListObjectsV2Command, { Prefix: 'p/', ContinuationToken: 't1' })
      .resolves({ IsTruncated: false, Contents: [{ Key: 'p/2', Size: 2 }] });
    const store = new S3ObjectStore({ client: new S3Client({ region: 'us-east-1' }), bucket: 'b' });
    expect(await store.list('p/')).toEqual([
      { key: 'p/1', bytes: 1 },
      { key: 'p/2', bytes: 2 },
      { key: 'p/3', bytes: 3 },
    ]);
    expect(mock.commandCalls(ListObjectsV2Command)).toHaveLength(2);
    mock.restore();
  });
});
