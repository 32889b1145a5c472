import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectNotFoundError, type ObjectBody, type ObjectStore, type StoredObject } from '../../ports';
import { isAwsError } from './awsErrors';
import { ForeignUriError } from './errors';

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** Multipart part size; S3's minimum is 5 MiB. Memory held per upload ≈ partSize × queueSize. */
  partSizeBytes?: number;
  /** Parts uploaded in parallel per object. */
  queueSize?: number;
  /** KMS key for SSE-KMS. The bucket's default encryption applies when unset. */
  kmsKeyId?: string;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * The data lake on S3. Uploads stream through `@aws-sdk/lib-storage` multipart uploads, so an
 * object of any size holds at most `partSizeBytes × queueSize` in memory; reads stream the body.
 *
 * @example
 * const store = new S3ObjectStore({ client: new S3Client({}), bucket: 'dif-dev-lake' });
 * await store.put('raw/acme/ads/campaigns/dt=all/run=r1/abc-000001.json', response.body);
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  readonly bucket: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly kmsKeyId: string | undefined;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.partSize = Math.max(MIN_PART_SIZE, options.partSizeBytes ?? 8 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 4;
    this.kmsKeyId = options.kmsKeyId;
  }

  async put(key: string, body: ObjectBody, options?: { contentType?: string }): Promise<StoredObject> {
    const counted = countBytes(body);
    const upload = new Upload({
      client: this.client,
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: counted.body,
        ContentType: options?.contentType,
        ...(this.kmsKeyId ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: this.kmsKeyId } : {}),
      },
    });
    const done = upload.done().catch((error: unknown) => {
      // Stop reading the caller's stream so its producer (an HTTP response) is released too.
      counted.abort(error);
      throw error;
    });
    await Promise.all([done, counted.finished]);
    return { key, bytes: counted.bytes() };
  }

  async get(key: string): Promise<Readable> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!response.Body) throw new ObjectNotFoundError(key);
      return response.Body as Readable;
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey', 404)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Readable> {
    if (end <= start) return Readable.from([]);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end - 1}` }),
      );
      if (!response.Body) throw new ObjectNotFoundError(key);
      return response.Body as Readable;
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey', 404)) throw new ObjectNotFoundError(key);
      throw error;
    }
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, bytes: response.ContentLength ?? 0 };
    } catch (error) {
      if (isAwsError(error, 'NotFound', 404) || isAwsError(error, 'NoSuchKey', 404)) return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const entry of page.Contents ?? []) {
        if (entry.Key !== undefined) objects.push({ key: entry.Key, bytes: entry.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  keyFromUri(uri: string): string {
    const prefix = `s3://${this.bucket}/`;
    if (!uri.startsWith(prefix)) throw new ForeignUriError(uri, prefix);
    return uri.slice(prefix.length);
  }
}

/** Wraps a body so its size is known after the upload without buffering it. */
interface CountedBody {
  body: Buffer | Readable;
  bytes: () => number;
  finished: Promise<void>;
  abort: (error: unknown) => void;
}

function countBytes(body: ObjectBody): CountedBody {
  if (typeof body === 'string') body = Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) {
    const buffer = body;
    return { body: buffer, bytes: () => buffer.length, finished: Promise.resolve(), abort: () => undefined };
  }
  let total = 0;
  const counter = new PassThrough();
  counter.on('data', (chunk: Buffer) => {
    total += chunk.length;
  });
  // pipeline() propagates a source error to the upload (which aborts) and to the caller.
  const finished = pipeline(body, counter);
  return { body: counter, bytes: () => total, finished, abort: (error) => counter.destroy(error as Error) };
}
