import { createHash, type Hash } from 'node:crypto';
import { createGzip, type Gzip } from 'node:zlib';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { writeChunk } from './writeChunk';

/** One written clean part. */
export interface WrittenPart {
  key: string;
  /** Compressed size, as stored. */
  bytes: number;
  rows: number;
}

export interface PartsSummary {
  parts: WrittenPart[];
  rows: number;
  /** Compressed bytes of all parts. */
  bytes: number;
  /** sha256 (hex) over the uncompressed content of every part, in order. */
  contentHash: string;
}

interface OpenPart {
  key: string;
  gzip: Gzip;
  upload: Promise<{ bytes: number }>;
  rawBytes: number;
  rows: number;
}

/**
 * Rows are encoded straight into one of two staging buffers of this size, and each full buffer
 * is one zlib write: a write is a round trip to the thread pool and rows arrive a decoded batch
 * at a time (~10–50 KiB), so staging cuts the hand-offs many-fold. Two fixed buffers (zlib
 * compresses one while the next fills) instead of a new allocation per write keep peak memory
 * flat on long runs.
 */
const STAGING_BYTES = 1024 * 1024;

/**
 * A UTF-16 code unit is at most 3 UTF-8 bytes, so text of n units fits in 3n bytes. Reserving
 * that much lets rows be written without measuring them first: `Buffer.byteLength` over each
 * chunk of rows (a string of many concatenated rows) took a fifth of the output's cost.
 */
const MAX_UTF8_PER_UNIT = 3;

/** A staging buffer; `released` settles once zlib no longer reads it. */
interface Staging {
  buffer: Buffer;
  used: number;
  released: Promise<unknown> | undefined;
}

/**
 * Streams clean CSV into gzipped parts of about `partBytes` uncompressed bytes each, every part
 * starting with the header, each uploaded while it is written. At least one part is written
 * (header only when there are no rows) so a COPY of the manifest always has a file to read.
 *
 * @example
 * const parts = new PartWriter(store, (n) => cleanPartKey(item, n), 'id,name\n', { partBytes: 64 << 20, gzipLevel: 1 });
 * await parts.write('1,a\n2,b\n', 2);
 * const summary = await parts.close();
 */
export class PartWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly written: WrittenPart[] = [];
  private current: OpenPart | undefined;
  private readonly staging: Staging[] = [0, 1].map(() => ({
    buffer: Buffer.allocUnsafe(STAGING_BYTES),
    used: 0,
    released: undefined,
  }));
  private active = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly keyOf: (n: number) => string,
    private readonly header: string,
    private readonly options: { partBytes: number; gzipLevel: number },
  ) {}

  /** Appends whole rows (`rows` of them) to the current part, starting a new part when it is full. */
  async write(text: string, rows: number): Promise<void> {
    if (this.current && this.current.rawBytes >= this.options.partBytes) await this.finishPart();
    const part = this.current ?? this.openPart();
    part.rows += rows;
    const reserve = text.length * MAX_UTF8_PER_UNIT;
    if (this.staging[this.active]!.used + reserve > STAGING_BYTES) await this.flush(part);
    if (reserve > STAGING_BYTES) {
      const bytes = Buffer.from(text);
      part.rawBytes += bytes.length;
      this.hash.update(bytes);
      await writeChunk(part.gzip, bytes, part.upload);
      return;
    }
    const stage = this.staging[this.active]!;
    const written = stage.buffer.write(text, stage.used);
    stage.used += written;
    part.rawBytes += written;
  }

  /** Hands the filled staging buffer to zlib, then waits until zlib is done with the other one. */
  private async flush(part: OpenPart): Promise<void> {
    const stage = this.staging[this.active]!;
    if (stage.used === 0) return;
    const bytes = stage.buffer.subarray(0, stage.used);
    this.hash.update(bytes);
    stage.released = new Promise((resolve, reject) =>
      part.gzip.write(bytes, (error) => (error ? reject(error) : resolve(undefined))),
    );
    // Observed below or by the next flush; this only keeps a failure after abort() from going unhandled.
    stage.released.catch(() => undefined);
    stage.used = 0;
    this.active = 1 - this.active;
    const next = this.staging[this.active]!;
    if (next.released) {
      // The upload settles early only when it failed: that failure surfaces here, not a wait without end.
      await Promise.race([next.released, part.upload]);
      next.released = undefined;
    }
  }

  async close(): Promise<PartsSummary> {
    if (!this.current && this.written.length === 0) this.openPart();
    if (this.current) await this.finishPart();
    return {
      parts: this.written,
      rows: this.written.reduce((sum, part) => sum + part.rows, 0),
      bytes: this.written.reduce((sum, part) => sum + part.bytes, 0),
      contentHash: this.hash.digest('hex'),
    };
  }

  /** Stops uploading after a failure; parts already stored stay (no manifest lists them). */
  abort(): void {
    this.current?.gzip.destroy();
    this.current?.upload.catch(() => undefined);
    this.current = undefined;
  }

  private openPart(): OpenPart {
    const key = this.keyOf(this.written.length + 1);
    const gzip = createGzip({ level: this.options.gzipLevel, chunkSize: 64 * 1024 });
    const upload = this.store.put(key, gzip, { contentType: 'text/csv' });
    // Observed by finishPart or writeChunk; this only keeps an early failure from going unhandled.
    upload.catch(() => undefined);
    const header = Buffer.from(this.header);
    this.hash.update(header);
    gzip.write(header);
    this.current = { key, gzip, upload, rawBytes: header.length, rows: 0 };
    return this.current;
  }

  private async finishPart(): Promise<void> {
    const part = this.current!;
    await this.flush(part);
    this.current = undefined;
    part.gzip.end();
    const stored = await part.upload;
    this.written.push({ key: part.key, bytes: stored.bytes, rows: part.rows });
  }
}
