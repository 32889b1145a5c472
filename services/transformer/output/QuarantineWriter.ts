import { PassThrough } from 'node:stream';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { writeChunk } from './writeChunk';

/** One quarantined record, as a line of `quarantine/…/{itemId}.jsonl`. */
export interface QuarantineEntry {
  /** Raw object key (and zip entry) the record came from. */
  object: string;
  /** 1-based record number within that object. */
  record: number;
  reason: string;
  /** The record as decoded, or the raw text when it could not be decoded. */
  original: unknown;
}

/**
 * Streams rejected records to the item's quarantine object as JSON lines. The object is created
 * on the first reject only, so an item without rejects makes no S3 call here at all (and the
 * deployed transform role needs no s3:DeleteObject). An object left by an earlier attempt of the
 * same run's item is overwritten when that attempt rejects again; the transform is deterministic
 * over the same raw objects, so only a configuration change between attempts can leave a stale
 * one, and the item's `recordsRejected` in run state is what counts.
 */
export class QuarantineWriter {
  private stream: PassThrough | undefined;
  private upload: Promise<unknown> | undefined;
  private pending = '';
  count = 0;

  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
  ) {}

  async add(entry: QuarantineEntry): Promise<void> {
    this.count++;
    let line: string;
    try {
      line = JSON.stringify(entry);
    } catch {
      line = JSON.stringify({ ...entry, original: '(not serialisable: nested too deeply)' });
    }
    this.pending += `${line}\n`;
    if (this.pending.length >= 64 * 1024) await this.flush();
  }

  async close(): Promise<void> {
    if (this.count === 0) return;
    await this.flush();
    this.stream!.end();
    await this.upload;
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    if (!this.stream) {
      this.stream = new PassThrough();
      this.upload = this.store.put(this.key, this.stream, { contentType: 'application/x-ndjson' });
      this.upload.catch(() => undefined);
    }
    const text = this.pending;
    this.pending = '';
    await writeChunk(this.stream, text, this.upload!);
  }
}
