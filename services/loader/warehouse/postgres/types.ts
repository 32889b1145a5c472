import type { Readable } from 'node:stream';

/** Observation points inside a load; tests use `afterCopy` to simulate a crash before commit. */
export interface LoadHooks {
  /** Called inside the load transaction after every part is copied, before the rows are applied. */
  afterCopy?: (info: { batchId: string; rowsCopied: number }) => void | Promise<void>;
}

/** One statement-level session inside an open PostgreSQL (or PGlite) transaction. */
export interface PgTransaction {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Copies one decompressed clean CSV part, header line included, into `table (columns)` with
   * `FORMAT csv, HEADER MATCH, NULL '\N'` (plain HEADER before PostgreSQL 15); returns the rows copied. Identifiers arrive quoted.
   */
  copyCsv(table: string, columns: string[], csv: Readable): Promise<number>;
}

/** Runs work in one transaction: committed when `work` resolves, rolled back when it throws. */
export interface PgTransactor {
  transaction<T>(work: (tx: PgTransaction) => Promise<T>): Promise<T>;
}

/** A result set with every column in order, even when two share a name (`count`, `sum`, `sum`). */
export interface ResultTable {
  columns: string[];
  rows: unknown[][];
}

/** A warehouse that can answer a statement as rows of values (`dif sql` shows every column). */
export interface TabularQuery {
  queryTable(sql: string, params?: unknown[]): Promise<ResultTable>;
}
