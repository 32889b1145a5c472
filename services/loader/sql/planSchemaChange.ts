import { formatColumnType, type ParsedColumnType } from '../../../shared/config/columnType';
import type { TableSpec } from '../../../shared/ports/Warehouse';
import { DestructiveSchemaChangeError } from '../errors';
import { declaredType, type ExistingColumn } from './warehouseTypes';
import type { WarehouseDialect } from './WarehouseDialect';

/** One additive change to an existing table. */
export type SchemaChange =
  | { kind: 'add_column'; column: string; type: ParsedColumnType }
  | { kind: 'widen_column'; column: string; from: ParsedColumnType; to: ParsedColumnType };

const INTEGER_RANK: Partial<Record<ParsedColumnType['kind'], number>> = { smallint: 1, int: 2, bigint: 3 };
const FLOAT_RANK: Partial<Record<ParsedColumnType['kind'], number>> = { real: 1, double: 2 };

/**
 * Compares the declared columns with the table's and returns the additive changes to apply.
 * Widening rules: varchar(n)→varchar(m>n); smallint→int→bigint, real→double and
 * decimal(p,s)→decimal with at least as many integer and fraction digits — each where the
 * dialect can alter the column in place (Redshift: varchar length only). A declared type the existing column already
 * holds (e.g. int into bigint) needs no change. Anything else is refused with
 * {@link DestructiveSchemaChangeError}; columns no longer declared are kept and stay NULL.
 *
 * @example
 * planSchemaChange(spec, [{ name: 'id', type: { kind: 'int' }, spelled: 'integer' }], postgresDialect);
 * // [{ kind: 'widen_column', column: 'id', from: { kind: 'int' }, to: { kind: 'bigint' } }, …]
 */
export function planSchemaChange(
  table: TableSpec,
  existing: ExistingColumn[],
  dialect: WarehouseDialect,
): SchemaChange[] {
  const byName = new Map(existing.map((column) => [column.name, column]));
  const changes: SchemaChange[] = [];
  const problems: string[] = [];
  for (const column of table.columns) {
    const declared = declaredType(column);
    const current = byName.get(column.name);
    if (!current) {
      changes.push({ kind: 'add_column', column: column.name, type: declared });
      continue;
    }
    // A column of a type DIF never creates was made by hand: trust its owner, COPY reports misfits.
    if (!current.type || holds(current.type, declared)) continue;
    const widened = widen(current.type, declared, dialect);
    if (widened) changes.push({ kind: 'widen_column', column: column.name, from: current.type, to: widened });
    else
      problems.push(`column "${column.name}" is ${current.spelled} but is now declared ${formatColumnType(declared)}`);
  }
  if (problems.length > 0) throw new DestructiveSchemaChangeError(`${table.schema}.${table.table}`, problems);
  return changes;
}

/** True when every value of `declared` fits in a column of type `current`. */
export function holds(current: ParsedColumnType, declared: ParsedColumnType): boolean {
  if (current.kind === 'varchar' && declared.kind === 'varchar') return current.length >= declared.length;
  if (current.kind === 'decimal' && declared.kind === 'decimal') {
    return current.scale >= declared.scale && current.precision - current.scale >= declared.precision - declared.scale;
  }
  const integer = [INTEGER_RANK[current.kind], INTEGER_RANK[declared.kind]];
  if (integer[0] && integer[1]) return integer[0] >= integer[1];
  const float = [FLOAT_RANK[current.kind], FLOAT_RANK[declared.kind]];
  if (float[0] && float[1]) return float[0] >= float[1];
  return current.kind === declared.kind;
}

/** The smallest type holding both, when `dialect` can alter `current` into it in place. */
function widen(
  current: ParsedColumnType,
  declared: ParsedColumnType,
  dialect: WarehouseDialect,
): ParsedColumnType | undefined {
  const wider = smallestHoldingBoth(current, declared);
  return wider && dialect.canAlterType(current, wider) ? wider : undefined;
}

function smallestHoldingBoth(current: ParsedColumnType, declared: ParsedColumnType): ParsedColumnType | undefined {
  if (current.kind === 'varchar' && declared.kind === 'varchar') return declared;
  if (current.kind === 'decimal' && declared.kind === 'decimal') {
    const scale = Math.max(current.scale, declared.scale);
    const precision = Math.max(current.precision - current.scale, declared.precision - declared.scale) + scale;
    return precision <= 38 ? { kind: 'decimal', precision, scale } : undefined;
  }
  if (INTEGER_RANK[current.kind] && INTEGER_RANK[declared.kind]) return declared;
  if (FLOAT_RANK[current.kind] && FLOAT_RANK[declared.kind]) return declared;
  return undefined;
}
