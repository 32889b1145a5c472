import type { Readable } from 'node:stream';

/** One stored object as listed by {@link ObjectStore.list}. */
export interface StoredObject {
  key: string;
  bytes: number;
}

export type ObjectBody = Readable | Buffer | string;

/**
 * The data lake: raw payloads, clean CSV parts, manifests and quarantined records.
 * Keys follow DESIGN.md §2 (`raw/…`, `clean/…`, `quarantine/…`). Bodies are streamed both ways,
 * so an adapter must never buffer a whole object.
 *
 * Adapters: `DirectoryObjectStore` (local), `S3ObjectStore` (aws).
 */
export interface ObjectStore {
  /** Streams `body` to `key`, replacing any object there; resolves once the object is durable. */
  put(key: string, body: ObjectBody, options?: { contentType?: string }): Promise<StoredObject>;
  /** Opens the object for streaming. Throws {@link ObjectNotFoundError} when absent. */
  get(key: string): Promise<Readable>;
  /**
   * Opens bytes `start` (inclusive) to `end` (exclusive) of the object, for transforming a large
   * object as byte ranges in parallel. Throws {@link ObjectNotFoundError} when absent.
   */
  getRange(key: string, start: number, end: number): Promise<Readable>;
  /** Size of the object, or undefined when it does not exist. */
  head(key: string): Promise<StoredObject | undefined>;
  /** Every object whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  delete(key: string): Promise<void>;
  /** A URI a person or a warehouse can use to find the object (`s3://bucket/key`, `file:///…`). */
  uri(key: string): string;
  /** The inverse of {@link uri}: the key of a URI this store produced (e.g. from a COPY manifest). */
  keyFromUri(uri: string): string;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}
