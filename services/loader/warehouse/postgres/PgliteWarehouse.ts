import { mkdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { ObjectStore } from '../../../../shared/ports/ObjectStore';
import type { LoadRequest, LoadResult, Warehouse } from '../../../../shared/ports/Warehouse';
import { CSV_COPY_OPTIONS, CSV_COPY_OPTIONS_NO_HEADER } from './copyOptions';
import { csvRecordChunks } from './csvRecordChunks';
import { loadPostgresBatch } from './loadPostgresBatch';
import type { LoadHooks, PgTransaction, PgTransactor, ResultTable, TabularQuery } from './types';
import { DATE_OID, keepDateText } from './dateAsText';
import { pgliteStartParams } from './pgliteStartParams';
import { useBaselineWasmCompiler } from './useBaselineWasmCompiler';
import { seedDataDir } from './seedDataDir';

export interface PgliteWarehouseOptions {
  /** Where the clean parts and manifests are read from. */
  objectStore: ObjectStore;
  /** PGlite data directory (created if missing), e.g. `<dataDir>/warehouse`. */
  dataDir?: string;
  /**
   * An open PGlite to use instead of opening `dataDir` (only one instance may own a data
   * directory). The warehouse does not close it.
   */
  db?: PGlite;
  /**
   * An initialised PGlite data directory a new `dataDir` starts as a copy of, instead of running
   * initdb (see seedDataDir). Ignored when `dataDir` already holds a database, or when missing.
   */
  templateDir?: string;
  /** Size of the record-aligned slices each part is copied in. Default 8 MiB. */
  chunkBytes?: number;
  hooks?: LoadHooks;
}

/**
 * The embedded warehouse of the local profile: PostgreSQL compiled to WebAssembly, stored in a
 * directory. PGlite has no COPY FROM STDIN over a wire; it reads `COPY … FROM '/dev/blob'` from a
 * Blob passed with the query. Each part is therefore cut into record-aligned slices of
 * `chunkBytes`, so memory stays bounded by the slice size, not the part or batch size.
 * PGlite runs one statement at a time, so concurrent loads are serialised by the engine itself.
 *
 * @example
 * const warehouse = await PgliteWarehouse.open({ objectStore, dataDir: '.dif/warehouse' });
 */
export class PgliteWarehouse implements Warehouse, PgTransactor, TabularQuery {
  private readonly db: PGlite;
  private readonly ownsDb: boolean;

  constructor(private readonly options: PgliteWarehouseOptions) {
    if (options.db) {
      this.db = options.db;
      this.ownsDb = false;
    } else {
      if (!options.dataDir) throw new TypeError('PgliteWarehouse needs a dataDir or an open db');
      if (options.templateDir) seedDataDir(options.dataDir, options.templateDir);
      mkdirSync(options.dataDir, { recursive: true });
      useBaselineWasmCompiler();
      this.db = new PGlite(options.dataDir, {
        parsers: { [DATE_OID]: keepDateText },
        startParams: pgliteStartParams(),
      });
      this.ownsDb = true;
    }
  }

  /** Opens the warehouse and waits until PGlite has started (initialising a new data directory). */
  static async open(options: PgliteWarehouseOptions): Promise<PgliteWarehouse> {
    const warehouse = new PgliteWarehouse(options);
    await warehouse.db.waitReady;
    return warehouse;
  }

  load(request: LoadRequest): Promise<LoadResult> {
    return loadPostgresBatch(this, this.options.objectStore, request, this.options.hooks);
  }

  async query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    const result = await this.db.query<Record<string, unknown>>(sql, params);
    return result.rows;
  }

  /** Rows as arrays, so columns that share a name are all kept. */
  async queryTable(sql: string, params?: unknown[]): Promise<ResultTable> {
    const result = await this.db.query<unknown[]>(sql, params, { rowMode: 'array' });
    return { columns: result.fields.map((field) => field.name), rows: result.rows };
  }

  transaction<T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(this.transactionOn(tx)));
  }

  async close(): Promise<void> {
    if (this.ownsDb && !this.db.closed) await this.db.close();
  }

  private transactionOn(tx: Transaction): PgTransaction {
    const chunkBytes = this.options.chunkBytes ?? 8 << 20;
    return {
      async query(sql, params) {
        const result = await tx.query<Record<string, unknown>>(sql, params);
        return result.rows;
      },
      async copyCsv(table: string, columns: string[], csv: Readable) {
        let rows = 0;
        let first = true;
        for await (const chunk of csvRecordChunks(csv, chunkBytes)) {
          const options = first ? CSV_COPY_OPTIONS : CSV_COPY_OPTIONS_NO_HEADER;
          first = false;
          const result = await tx.query(
            `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (${options})`,
            [],
            { blob: new Blob([chunk]) },
          );
          rows += result.affectedRows ?? 0;
        }
        return rows;
      },
    };
  }
}
