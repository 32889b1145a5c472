import type { ColumnType } from '../config/columnType';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

export interface TableSpec {
  /** Warehouse schema (one per client by default). Validated identifier. */
  schema: string;
  table: string;
  columns: ColumnSpec[];
  primaryKey: string[];
  distKey?: string;
  sortKey?: string[];
}

export type LoadMode = 'append' | 'merge' | 'replace_partition';

export interface LoadRequest {
  /** Key of the load ledger: a redelivered batch with the same id is a no-op. */
  batchId: string;
  table: TableSpec;
  mode: LoadMode;
  /**
   * For `replace_partition`: rows of the target with `column` in [from, to] are replaced.
   * Without `from`/`to` the range is the min/max of `column` in the loaded batch.
   */
  partition?: { column: string; from?: string; to?: string };
  /** Object-store key of the Redshift-format COPY manifest listing the clean CSV parts. */
  manifestKey: string;
  /**
   * Orders loads of one partition (DESIGN.md §5 "Ordered, not only exactly-once"): the ledger
   * keeps each batch's `itemId` (client/source/stream/partition) and extraction time, and a batch
   * extracted before one already loaded for the same item is skipped as `superseded`, so a
   * crash leftover or an old dead letter never overwrites newer data. Absent on messages from
   * before ordering existed: such a batch is loaded unordered, as it was then.
   */
  ordering?: { itemId: string; extractedAt: string };
  /**
   * The CSV column after the declared ones that holds each row's position in source order (clean
   * CSV format 2, `CleanReady.clean.sourceOrder`). It is staged, never loaded into the table; a
   * merge keeps the last row of a duplicated key by it. Absent on format 1 batches.
   */
  sourceOrder?: string;
}

export interface LoadResult {
  /** `superseded`: a newer extraction of the same item is already loaded; nothing changed. */
  status: 'loaded' | 'already_loaded' | 'superseded';
  rowsLoaded: number;
  /** For `superseded`: the newer batch that is loaded. */
  supersededBy?: { batchId: string; extractedAt: string };
}

/**
 * The analytics warehouse. `load` is exactly-once per batch id: it copies the parts into a
 * staging table and applies them to the target together with a `dif_load_ledger` row in one
 * transaction.
 *
 * Adapters: `PgliteWarehouse` (local default), `PostgresWarehouse` (DATABASE_URL),
 * `RedshiftWarehouse` (aws).
 */
export interface Warehouse {
  load(request: LoadRequest): Promise<LoadResult>;
  /** Runs one read-only or administrative statement with positional parameters ($1…). */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
