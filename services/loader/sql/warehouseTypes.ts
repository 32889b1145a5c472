import {
  parseColumnType,
  formatColumnType,
  COLUMN_TYPE_HELP,
  type ParsedColumnType,
} from '../../../shared/config/columnType';
import type { ColumnSpec } from '../../../shared/ports/Warehouse';
import type { WarehouseDialect } from './WarehouseDialect';
import { InvalidLoadRequestError } from '../errors';

/** A column as it exists in the warehouse; `type` is undefined for types DIF does not declare. */
export interface ExistingColumn {
  name: string;
  type: ParsedColumnType | undefined;
  /** The type as the catalog spells it, for messages. */
  spelled: string;
}

/** Parses a declared column type, failing with the column name and the accepted types. */
export function declaredType(column: ColumnSpec): ParsedColumnType {
  const parsed = parseColumnType(column.type);
  if (!parsed)
    throw new InvalidLoadRequestError(
      `column "${column.name}" has type "${column.type}", which is not ${COLUMN_TYPE_HELP}`,
    );
  return parsed;
}

/** A row of information_schema.columns. */
export interface CatalogColumn {
  column_name: string;
  data_type: string;
  character_maximum_length: number | string | null;
  numeric_precision: number | string | null;
  numeric_scale: number | string | null;
}

/** information_schema names of the standard types (standardColumnType); a dialect adds its own. */
const STANDARD_CATALOG_KINDS: Record<string, ParsedColumnType['kind']> = {
  smallint: 'smallint',
  integer: 'int',
  bigint: 'bigint',
  'double precision': 'double',
  real: 'real',
  boolean: 'boolean',
  date: 'date',
  'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz',
};

/**
 * Reads a catalog row of `dialect`'s warehouse back into a DIF type (undefined for types DIF
 * never creates).
 *
 * @example
 * existingColumn({ column_name: 'doc', data_type: 'jsonb', … }, postgresDialect).type; // { kind: 'super' } (json)
 */
export function existingColumn(row: CatalogColumn, dialect: WarehouseDialect): ExistingColumn {
  const spelled = row.data_type;
  const kind = Object.hasOwn(STANDARD_CATALOG_KINDS, row.data_type)
    ? STANDARD_CATALOG_KINDS[row.data_type]
    : Object.hasOwn(dialect.catalogTypes, row.data_type)
      ? dialect.catalogTypes[row.data_type]
      : undefined;
  if (kind) return { name: row.column_name, type: { kind } as ParsedColumnType, spelled };
  if (row.data_type === 'character varying' || row.data_type === 'text') {
    const length =
      row.character_maximum_length === null ? Number.MAX_SAFE_INTEGER : Number(row.character_maximum_length);
    return {
      name: row.column_name,
      type: { kind: 'varchar', length },
      spelled: `varchar(${row.character_maximum_length ?? ''})`,
    };
  }
  if (row.data_type === 'numeric') {
    const precision = Number(row.numeric_precision ?? 38);
    const scale = Number(row.numeric_scale ?? 0);
    return {
      name: row.column_name,
      type: { kind: 'decimal', precision, scale },
      spelled: `numeric(${precision},${scale})`,
    };
  }
  return { name: row.column_name, type: undefined, spelled };
}

export { formatColumnType };
