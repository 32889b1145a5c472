import { createHash } from 'node:crypto';
import type { TableSpec } from '../../../shared/ports/Warehouse';
import { qualifiedName, quoteIdentifier } from './quoteIdentifier';
import type { SchemaChange } from './planSchemaChange';
import { declaredType } from './warehouseTypes';
import type { WarehouseDialect } from './WarehouseDialect';

/** Name of the load ledger table in every client schema. */
export const LEDGER_TABLE = 'dif_load_ledger';

/** The ledger columns that order loads per partition (DESIGN.md §5), added to older ledgers on first use. */
export const LEDGER_ORDERING_COLUMNS = [
  { name: 'item_id', type: 'varchar(256)' },
  { name: 'extracted_at', type: 'timestamptz' },
] as const;

/** DDL and catalog statements shared by the PostgreSQL, PGlite and Redshift warehouses. */
export const tableSql = {
  createSchema(schema: string): string {
    return `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema, 'schema')}`;
  },

  /**
   * The load ledger: one row per loaded batch. `item_id` (the work item: client/source/stream/
   * partition) and `extracted_at` order the loads of one partition; both are NULL for batches
   * loaded before ordering existed, or from messages that do not carry an extraction time.
   */
  createLedger(schema: string): string {
    return `CREATE TABLE IF NOT EXISTS ${qualifiedName(schema, LEDGER_TABLE)} (batch_id varchar(256) NOT NULL PRIMARY KEY, table_name varchar(256) NOT NULL, rows bigint NOT NULL, loaded_at timestamptz NOT NULL, ${LEDGER_ORDERING_COLUMNS.map((column) => `${column.name} ${column.type}`).join(', ')})`;
  },

  /** Adds an ordering column to a ledger created before ordering existed. */
  addLedgerColumn(schema: string, column: (typeof LEDGER_ORDERING_COLUMNS)[number]): string {
    return `ALTER TABLE ${qualifiedName(schema, LEDGER_TABLE)} ADD COLUMN ${column.name} ${column.type}`;
  },

  /** information_schema query with $1 = schema, $2 = table. */
  selectColumns: `SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,

  /**
   * The target table. `primaryKey` adds a PRIMARY KEY (enforced by PostgreSQL, informational in
   * Redshift); the dialect adds its table options (Redshift: DISTKEY/SORTKEY).
   */
  createTable(spec: TableSpec, dialect: WarehouseDialect, primaryKey: boolean): string {
    const parts = columnDefinitions(spec, dialect);
    if (primaryKey && spec.primaryKey.length > 0) parts.push(`PRIMARY KEY (${columnList(spec.primaryKey)})`);
    return `CREATE TABLE IF NOT EXISTS ${qualifiedName(spec.schema, spec.table)} (${parts.join(', ')})${dialect.tableOptions(spec)}`;
  },

  alter(spec: TableSpec, change: SchemaChange, dialect: WarehouseDialect): string {
    const table = qualifiedName(spec.schema, spec.table);
    const column = quoteIdentifier(change.column, 'column');
    return change.kind === 'add_column'
      ? `ALTER TABLE ${table} ADD COLUMN ${column} ${dialect.columnType(change.type)}`
      : `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${dialect.columnType(change.to)}`;
  },

  /** A session-local staging table with the batch's columns, and its source-order column when it has one. */
  createStaging(spec: TableSpec, name: string, dialect: WarehouseDialect, sourceOrder?: string): string {
    const columns = columnDefinitions(spec, dialect);
    if (sourceOrder) columns.push(`${quoteIdentifier(sourceOrder, 'source order column')} bigint`);
    return `CREATE TEMP TABLE ${quoteIdentifier(name, 'staging table')} (${columns.join(', ')})${dialect.stagingOptions}`;
  },
};

/** A staging table name unique per batch (a hash: batch ids may hold characters SQL names may not). */
export function stagingTableName(batchId: string): string {
  return `dif_stage_${createHash('sha256').update(batchId).digest('hex').slice(0, 24)}`;
}

/** Quoted, comma-separated column names. */
export function columnList(names: string[]): string {
  return names.map((name) => quoteIdentifier(name, 'column')).join(', ');
}

function columnDefinitions(spec: TableSpec, dialect: WarehouseDialect): string[] {
  return spec.columns.map(
    (column) => `${quoteIdentifier(column.name, 'column')} ${dialect.columnType(declaredType(column))}`,
  );
}
