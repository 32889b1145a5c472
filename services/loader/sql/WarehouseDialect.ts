import type { ParsedColumnType } from '../../../shared/config/columnType';
import type { TableSpec } from '../../../shared/ports/Warehouse';

/**
 * What differs between warehouses in the SQL DIF writes: the spelling of DIF column types, the
 * catalog's names for them, which type changes run in place, table and staging-table clauses,
 * and what the warehouse knows of COPY order. The rest (tableSql, planSchemaChange,
 * lastRowPerKey) is written once against this. One object per warehouse, in its folder:
 * `services/loader/warehouse/<warehouse>/<warehouse>Dialect.ts`.
 */
export interface WarehouseDialect {
  /** For messages, e.g. `PostgreSQL`. */
  readonly name: string;
  /** The DDL spelling of a DIF column type, e.g. json → `jsonb` or `super`. */
  columnType(type: ParsedColumnType): string;
  /**
   * `information_schema.columns.data_type` values of this warehouse beyond the standard ones
   * (standardCatalogType), mapped to the DIF type they hold.
   */
  readonly catalogTypes: Readonly<Record<string, ParsedColumnType['kind']>>;
  /** Whether `ALTER TABLE … ALTER COLUMN … TYPE` widens a column of type `from` to `to` in place. */
  canAlterType(from: ParsedColumnType, to: ParsedColumnType): boolean;
  /** Clauses after the column list of CREATE TABLE (empty for none). */
  tableOptions(spec: TableSpec): string;
  /** Clause after the column list of the staging table's CREATE TEMP TABLE (empty for none). */
  readonly stagingOptions: string;
  /**
   * For a batch without a source-order column (clean CSV format 1): an expression that follows
   * the order COPY stored the rows in a fresh staging table, if the warehouse has one.
   */
  readonly copyOrder?: string;
}
