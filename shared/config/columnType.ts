/**
 * Column types a stream may declare: DIF's own, which each warehouse dialect spells in its DDL
 * (services/loader/warehouse/<warehouse>/<warehouse>Dialect.ts; e.g. json is `jsonb` in
 * PostgreSQL and `SUPER` in Redshift). Written as strings in YAML and messages (`bigint`,
 * `decimal(18,6)`, `varchar(256)`, `json`), parsed with {@link parseColumnType}.
 */
export type ColumnType = string;

export type ParsedColumnType =
  | {
      kind:
        'smallint' | 'int' | 'bigint' | 'double' | 'real' | 'boolean' | 'date' | 'timestamp' | 'timestamptz' | 'super';
    }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'varchar'; length: number };

/**
 * The longest varchar DIF declares, and the length of a bare `varchar`/`text`: the smallest
 * maximum of the warehouses DIF loads (Redshift's).
 */
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
  // The kind is named `super` for history; DIF spells it json (formatColumnType).
  json: 'super',
  super: 'super',
};

export const COLUMN_TYPE_HELP =
  'one of smallint, int, bigint, double, real, boolean, date, timestamp, timestamptz, json (or super, its Redshift name), varchar, varchar(n) with n ≤ 65535, text, decimal(p,s) with 1 ≤ p ≤ 38 and 0 ≤ s ≤ p';

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
    case 'super':
      return 'json';
    default:
      return type.kind;
  }
}
