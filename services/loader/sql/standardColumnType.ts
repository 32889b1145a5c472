import type { ParsedColumnType } from '../../../shared/config/columnType';

/**
 * The SQL-standard spelling of a DIF column type, which PostgreSQL and Redshift share; `json`
 * has none (undefined): each dialect names its own.
 *
 * @example
 * standardColumnType({ kind: 'decimal', precision: 18, scale: 6 }); // 'numeric(18,6)'
 */
export function standardColumnType(type: ParsedColumnType): string | undefined {
  switch (type.kind) {
    case 'int':
      return 'integer';
    case 'double':
      return 'double precision';
    case 'decimal':
      return `numeric(${type.precision},${type.scale})`;
    case 'varchar':
      return `varchar(${type.length})`;
    case 'super':
      return undefined;
    default:
      return type.kind;
  }
}
