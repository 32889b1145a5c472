import type { z } from 'zod';
import type { filterCondition } from '../../../shared/config/schema/transform';
import type { ValueGetter } from './compileColumn';

export type FilterCondition = z.infer<typeof filterCondition>;
export type RecordFilter = (record: Record<string, unknown>) => boolean;

/**
 * Compiles `transform.filter` into one predicate (all conditions must hold). Conditions read the
 * column's source value; gt/gte/lt/lte compare numerically when both sides are numbers.
 */
export function compileFilter(
  conditions: FilterCondition[],
  getterOf: (column: string) => ValueGetter,
): RecordFilter | undefined {
  if (conditions.length === 0) return undefined;
  const tests = conditions.map((condition) => compileCondition(condition, getterOf(condition.column)));
  return (record) => {
    for (const test of tests) if (!test(record)) return false;
    return true;
  };
}

function compileCondition(condition: FilterCondition, get: ValueGetter): RecordFilter {
  const values = Array.isArray(condition.value)
    ? condition.value.map(String)
    : condition.value === undefined
      ? []
      : [String(condition.value)];
  const single = values[0];
  const set = new Set(values);
  const isNull = (value: unknown): boolean => value === null || value === undefined || value === '';
  switch (condition.op) {
    case 'eq':
      return (record) => !isNull(get(record)) && String(get(record)) === single;
    case 'ne':
      return (record) => isNull(get(record)) || String(get(record)) !== single;
    case 'in':
      return (record) => !isNull(get(record)) && set.has(String(get(record)));
    case 'not_in':
      return (record) => isNull(get(record)) || !set.has(String(get(record)));
    case 'is_null':
      return (record) => isNull(get(record));
    case 'not_null':
      return (record) => !isNull(get(record));
    default: {
      const op = condition.op;
      return (record) => {
        const value = get(record);
        if (isNull(value) || single === undefined) return false;
        const order = compare(value, single);
        return op === 'gt' ? order > 0 : op === 'gte' ? order >= 0 : op === 'lt' ? order < 0 : order <= 0;
      };
    }
  }
}

function compare(value: unknown, other: string): number {
  const a = Number(value);
  const b = Number(other);
  if (!Number.isNaN(a) && !Number.isNaN(b) && other.trim() !== '') return a - b;
  const text = String(value);
  return text < other ? -1 : text > other ? 1 : 0;
}
