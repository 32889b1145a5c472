import { SOURCE_ORDER_COLUMN } from '../../../shared/messages/cleanReady';
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
  /** Set when every row ends with its position in source order (`sourceOrder` of the layout). */
  sourceOrder?: typeof SOURCE_ORDER_COLUMN;
}

/**
 * The clean output of one table of an item (the stream's, or a child table's): CSV rows
 * gathered into chunks, streamed into gzipped parts, and a Redshift COPY manifest on close.
 *
 * @example
 * const table = new TableWriter(store, { manifestKey, partKey: (n) => …, header, partBytes, gzipLevel, sourceOrder: true });
 * const full = table.add('1,a\n');
 * if (full) await full;
 * const written = await table.close();
 */
export class TableWriter {
  private readonly parts: PartWriter;
  private chunk = '';
  private rows = 0;
  /** Rows added so far: the source position of the next row is one more. */
  private added: number;
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
      /**
       * End each row with its 1-based position in source order, as column SOURCE_ORDER_COLUMN: the
       * loader's merge keeps the last row of a key by it (a Redshift COPY keeps no file order).
       */
      sourceOrder?: boolean;
      /**
       * Source position of the row before the first (default 0): each piece of an item split into
       * byte ranges numbers its rows from a base of its own, so positions still rise in source order.
       */
      sourceOrderFrom?: number;
    },
  ) {
    const header = layout.sourceOrder ? `${layout.header.slice(0, -1)},${SOURCE_ORDER_COLUMN}\n` : layout.header;
    this.parts = new PartWriter(store, layout.partKey, header, {
      partBytes: layout.partBytes,
      gzipLevel: layout.gzipLevel,
    });
    this.chunkChars = Math.min(CHUNK_CHARS, layout.partBytes);
    this.added = layout.sourceOrderFrom ?? 0;
  }

  /** Adds one CSV row; returns a promise to await only when a chunk was handed to the parts. */
  add(row: string): Promise<void> | undefined {
    this.added++;
    this.chunk += this.layout.sourceOrder ? `${row.slice(0, -1)},${this.added}\n` : row;
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
      ...(this.layout.sourceOrder ? { sourceOrder: SOURCE_ORDER_COLUMN } : {}),
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
