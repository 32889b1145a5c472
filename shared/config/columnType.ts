/**
 * Column types a stream may declare. They are Redshift's types; the PostgreSQL and PGlite
 * warehouses map them to their equivalents. Written as strings in YAML and messages
 * (`bigint`, `decimal(18,6)`, `varchar(256)`), parsed with {@link parseColumnType}.
 */
export type ColumnType = string;

export type ParsedColumnType =
  | {
      kind:
        'smallint' | 'int' | 'bigint' | 'double' | 'real' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'super';
    }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'varchar'; length: number };

/** Redshift's longest VARCHAR; also the length of a bare `varchar`/`text`. */
export const MAX_VARCHAR = 65535;

const ALIASES: Record<string, ParsedColumnType['kind']> = {
  smallint: 'smallint',
  int2: 'smallint',
  int: 'int',
  integer: 'int',
  int4: 'int',
  bigint: 'bigint',
  int8: 'bigint',
  double: 'double',
  'double precision': 'double',
  float8: 'double',
  float: 'double',
  real: 'real',
  float4: 'real',
  boolean: 'boolean',
  bool: 'boolean',
  date: 'date',
  timestamp: 'timestamp',
  'timestamp without time zone': 'timestamp',
  timestamptz: 'timestamptz',
  'timestamp with time zone': 'timestamptz',
  super: 'super',
  json: 'super',
};

export const COLUMN_TYPE_HELP =
  'one of smallint, int, bigint, double, real, boolean, date, timestamp, timestamptz, super (or json), varchar, varchar(n) with n ≤ 65535, text, decimal(p,s) with 1 ≤ p ≤ 38 and 0 ≤ s ≤ p';

/** Parses a declared column type; returns undefined when it is not one DIF knows. */
export function parseColumnType(declared: string): ParsedColumnType | undefined {
  const text = declared.trim().toLowerCase().replace(/\s+/g, ' ');
  const simple = ALIASES[text];
  if (simple) return { kind: simple } as ParsedColumnType;
  if (text === 'varchar' || text === 'text' || text === 'string') return { kind: 'varchar', length: MAX_VARCHAR };
  const varchar = /^(?:varchar|character varying)\s*\(\s*(\d+)\s*\)$/.exec(text);
  if (varchar) {
    const length = Number(varchar[1]);
    return length >= 1 && length <= MAX_VARCHAR ? { kind: 'varchar', length } : undefined;
  }
  const decimal = /^(?:decimal|numeric)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(text);
  if (decimal) {
    const precision = decimal[1] ? Number(decimal[1]) : 18;
    const scale = decimal[2] ? Number(decimal[2]) : 0;
    return precision >= 1 && precision <= 38 && scale <= precision ? { kind: 'decimal', precision, scale } : undefined;
  }
  return undefined;
}

/** The canonical spelling of a type, used in DDL and to compare declared with existing columns. */
export function formatColumnType(type: ParsedColumnType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'varchar':
      return `varchar(${type.length})`;
    default:
      return type.kind;
  }
}
