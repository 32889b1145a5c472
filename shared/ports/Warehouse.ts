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
}

export interface LoadResult {
  status: 'loaded' | 'already_loaded';
  rowsLoaded: number;
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
