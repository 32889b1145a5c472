import { parsePath } from './parsePath';
import { selectOne, selectPath } from './selectPath';

/**
 * Reads a value by a path (`$.paging.cursors.after`, `$.errors[0].code`): the value of a
 * definite path, or the list of values a path with `[*]` or a filter selects (`$.data[*].id` →
 * every id). Undefined when a step is missing.
 *
 * @example
 * readPath({ paging: { cursors: { after: 'x' } } }, '$.paging.cursors.after') // 'x'
 */
export function readPath(value: unknown, path: string): unknown {
  const parsed = parsePath(path);
  return parsed.definite ? selectOne(value, parsed.steps) : selectPath(value, parsed);
}
