import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { copyManifest } from './copyManifest';
import { PartWriter } from './PartWriter';

/** Rows are gathered into strings of about this many characters before each write. */
const CHUNK_CHARS = 256 * 1024;

/** One output table of an item as written: its COPY manifest and the parts it lists. */
export interface WrittenTable {
  manifestKey: string;
  parts: number;
  rows: number;
  /** Compressed bytes of all parts. */
  bytes: number;
  /** sha256 (hex) of the uncompressed CSV, for the batch id. */
  contentHash: string;
}

/**
 * The clean output of one table of an item (the stream's, or a child table's): CSV rows
 * gathered into chunks, streamed into gzipped parts, and a Redshift COPY manifest on close.
 *
 * @example
 * const table = new TableWriter(store, { manifestKey, partKey: (n) => …, header, partBytes, gzipLevel });
 * const full = table.add('1,a\n');
 * if (full) await full;
 * const written = await table.close();
 */
export class TableWriter {
  private readonly parts: PartWriter;
  private chunk = '';
  private rows = 0;
  /** Parts are cut between chunks, so a chunk is never larger than a part should be. */
  private readonly chunkChars: number;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: {
      manifestKey: string;
      partKey: (n: number) => string;
      header: string;
      partBytes: number;
      gzipLevel: number;
    },
  ) {
    this.parts = new PartWriter(store, layout.partKey, layout.header, {
      partBytes: layout.partBytes,
      gzipLevel: layout.gzipLevel,
    });
    this.chunkChars = Math.min(CHUNK_CHARS, layout.partBytes);
  }

  /** Adds one CSV row; returns a promise to await only when a chunk was handed to the parts. */
  add(row: string): Promise<void> | undefined {
    this.chunk += row;
    this.rows++;
    return this.chunk.length >= this.chunkChars ? this.flush() : undefined;
  }

  async close(): Promise<WrittenTable> {
    await this.flush();
    const summary = await this.parts.close();
    await this.store.put(this.layout.manifestKey, JSON.stringify(copyManifest(this.store, summary.parts)), {
      contentType: 'application/json',
    });
    return {
      manifestKey: this.layout.manifestKey,
      parts: summary.parts.length,
      rows: summary.rows,
      bytes: summary.bytes,
      contentHash: summary.contentHash,
    };
  }

  /** Stops writing after a failure; parts already stored stay (no manifest lists them). */
  abort(): void {
    this.parts.abort();
  }

  /** Hands the rows gathered so far to the parts. */
  async flush(): Promise<void> {
    if (this.rows === 0) return;
    const [chunk, rows] = [this.chunk, this.rows];
    this.chunk = '';
    this.rows = 0;
    await this.parts.write(chunk, rows);
  }
}
