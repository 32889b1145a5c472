import type { Readable } from 'node:stream';
import type { RawManifest } from '../../shared/messages/rawReady';
import type { ObjectStore } from '../../shared/ports/ObjectStore';
import type { WorkItem } from '../../shared/messages/workItem';
import type { Sniffed } from './http/pageBody';
import { rawManifestKey, rawObjectKey } from './rawKeys';

type ManifestEntry = RawManifest['objects'][number];

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv',
  xml: 'application/xml',
};

/**
 * Writes an item's raw objects under `raw/…` in the order pages are requested, and the
 * manifest listing them. The extension follows the stream format; gzip and zip found by
 * magic bytes are recorded in the extension and content type (decoding is the transformer's).
 */
export class RawWriter {
  private seq = 0;
  private readonly entries: ManifestEntry[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly item: WorkItem,
    private readonly formatType: string,
  ) {}

  /** Streams one page body to the store. The sequence number is taken before the body is read. */
  async write(
    body: Readable | Buffer,
    sniffed: Sniffed,
    responseType: string | undefined,
    context?: Record<string, unknown>,
  ): Promise<ManifestEntry> {
    const page = ++this.seq;
    return this.writeAt(page, body, sniffed, responseType, context);
  }

  /** Takes the next sequence number now, for a page whose body is written later. */
  reserve(): number {
    return ++this.seq;
  }

  async writeAt(
    page: number,
    body: Readable | Buffer,
    sniffed: Sniffed,
    responseType: string | undefined,
    context?: Record<string, unknown>,
  ): Promise<ManifestEntry> {
    const base = this.formatType in CONTENT_TYPES ? this.formatType : 'bin';
    const extension = sniffed === 'gzip' ? `${base}.gz` : sniffed === 'zip' ? 'zip' : base;
    const contentType =
      sniffed === 'gzip'
        ? 'application/gzip'
        : sniffed === 'zip'
          ? 'application/zip'
          : (responseType ?? CONTENT_TYPES[base] ?? 'application/octet-stream');
    const key = rawObjectKey(this.item, page, extension);
    const stored = await this.store.put(key, body, { contentType });
    const entry: ManifestEntry = {
      key,
      bytes: stored.bytes,
      contentType,
      page,
      ...(context && Object.keys(context).length > 0 ? { context } : {}),
    };
    this.entries.push(entry);
    return entry;
  }

  get bytes(): number {
    return this.entries.reduce((sum, entry) => sum + entry.bytes, 0);
  }

  get objects(): number {
    return this.entries.length;
  }

  /** Writes the manifest (entries in page order) and returns its key. */
  async finish(): Promise<string> {
    const manifest: RawManifest = { objects: [...this.entries].sort((a, b) => a.page - b.page) };
    const key = rawManifestKey(this.item);
    await this.store.put(key, JSON.stringify(manifest), { contentType: 'application/json' });
    return key;
  }
}
