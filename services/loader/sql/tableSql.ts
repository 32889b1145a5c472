import { createHash } from 'node:crypto';
import type { TableSpec } from '../../../shared/ports/Warehouse';
import { qualifiedName, quoteIdentifier } from './quoteIdentifier';
import type { SchemaChange } from './planSchemaChange';
import { declaredType, sqlType, type SqlDialect } from './warehouseTypes';

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
   * Redshift); Redshift also gets DISTKEY/SORTKEY when the spec has them.
   */
  createTable(spec: TableSpec, dialect: SqlDialect, primaryKey: boolean): string {
    const parts = columnDefinitions(spec, dialect);
    if (primaryKey && spec.primaryKey.length > 0) parts.push(`PRIMARY KEY (${columnList(spec.primaryKey)})`);
    let sql = `CREATE TABLE IF NOT EXISTS ${qualifiedName(spec.schema, spec.table)} (${parts.join(', ')})`;
    if (dialect === 'redshift') {
      if (spec.distKey) sql += ` DISTSTYLE KEY DISTKEY (${quoteIdentifier(spec.distKey, 'dist_key')})`;
      if (spec.sortKey && spec.sortKey.length > 0) sql += ` COMPOUND SORTKEY (${columnList(spec.sortKey)})`;
    }
    return sql;
  },

  alter(spec: TableSpec, change: SchemaChange, dialect: SqlDialect): string {
    const table = qualifiedName(spec.schema, spec.table);
    const column = quoteIdentifier(change.column, 'column');
    return change.kind === 'add_column'
      ? `ALTER TABLE ${table} ADD COLUMN ${column} ${sqlType(change.type, dialect)}`
      : `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${sqlType(change.to, dialect)}`;
  },

  /** A session-local staging table with the batch's columns, and its source-order column when it has one. */
  createStaging(spec: TableSpec, name: string, dialect: SqlDialect, sourceOrder?: string): string {
    const onCommit = dialect === 'postgres' ? ' ON COMMIT DROP' : '';
    const columns = columnDefinitions(spec, dialect);
    if (sourceOrder) columns.push(`${quoteIdentifier(sourceOrder, 'source order column')} bigint`);
    return `CREATE TEMP TABLE ${quoteIdentifier(name, 'staging table')} (${columns.join(', ')})${onCommit}`;
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

function columnDefinitions(spec: TableSpec, dialect: SqlDialect): string[] {
  return spec.columns.map(
    (column) => `${quoteIdentifier(column.name, 'column')} ${sqlType(declaredType(column), dialect)}`,
  );
}
