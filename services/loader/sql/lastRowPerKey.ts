import { columnList } from './tableSql';
import { quoteIdentifier } from './quoteIdentifier';

/** What {@link lastRowPerKey} selects from. */
export interface StagedBatch {
  /** The staging table, quoted. */
  stage: string;
  /** The declared columns, in order. */
  columns: string[];
  /** The primary key. */
  keys: string[];
  /** The batch's source-order column (clean CSV format 2), when it has one. */
  sourceOrder?: string;
  /**
   * For a batch without one (format 1): an expression that follows the order COPY stored the rows
   * in, where the warehouse has one (PostgreSQL: `ctid` of a fresh temp table); else none, and the
   * row kept for a duplicated key is arbitrary (Redshift, as before format 2).
   */
  copyOrder?: string;
}

/**
 * The merge rule of every warehouse, written once: of the staged rows that share a primary key,
 * the last in source order is applied. Source order travels in the data (a COPY into Redshift
 * keeps no file order), so the rule ranks the rows by the batch's source-order column.
 *
 * @example
 * lastRowPerKey({ stage: '"dif_stage_1"', columns: ['id', 'name'], keys: ['id'], sourceOrder: 'dif_source_row' });
 * // SELECT "id", "name" FROM (SELECT "id", "name", ROW_NUMBER() OVER (PARTITION BY "id" ORDER BY "dif_source_row" DESC) AS …) …
 */
export function lastRowPerKey(batch: StagedBatch): string {
  const columns = columnList(batch.columns);
  const keys = columnList(batch.keys);
  const order = batch.sourceOrder
    ? `${quoteIdentifier(batch.sourceOrder, 'source order column')} DESC`
    : batch.copyOrder
      ? `${batch.copyOrder} DESC`
      : keys;
  return `SELECT ${columns} FROM (SELECT ${columns}, ROW_NUMBER() OVER (PARTITION BY ${keys} ORDER BY ${order}) AS ${RANK} FROM ${batch.stage}) AS latest WHERE ${RANK} = 1`;
}

/** The rank's name, chosen to be unlike any column's: a column of that name would shadow it. */
const RANK = 'dif_rank_from_last';
