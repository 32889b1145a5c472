import { parsePath } from './parsePath';
import { isIndexName, selectOne, selectPath } from './selectPath';
import type { ParsedPath } from './types';

/** Reads one value (a definite path) or every match (`[*]`, filters) from a record. */
export interface ValueReader {
  /** True: `read` returns the value or undefined. False: `read` returns the list of matches. */
  definite: boolean;
  read: (value: unknown) => unknown;
}

/**
 * Compiles a path once into a reader for the hot path: one or two plain member names (the
 * common `spend`, `metrics.spend`) become dedicated closures with no loop; anything else runs
 * the general evaluator. Member names that objects inherit (`constructor`, `toString`) are
 * read as own members only.
 *
 * @example
 * compileValueReader('metrics.spend').read({ metrics: { spend: '1.5' } }) // '1.5'
 * compileValueReader("actions[?action_type=='purchase'].value").read(record) // ['3']
 */
export function compileValueReader(path: string | ParsedPath): ValueReader {
  const parsed = typeof path === 'string' ? parsePath(path) : path;
  const { steps } = parsed;
  if (!parsed.definite) return { definite: false, read: (value) => selectPath(value, parsed) };
  const names = steps.every((step) => step.kind === 'field' && isPlainName(step.name))
    ? steps.map((step) => (step as { name: string }).name)
    : undefined;
  if (names?.length === 1) {
    const [a] = names as [string];
    return { definite: true, read: (value) => (value as Record<string, unknown>)[a] };
  }
  if (names?.length === 2) {
    const [a, b] = names as [string, string];
    return {
      definite: true,
      read: (value) => {
        const inner = (value as Record<string, unknown>)[a];
        return inner !== null && typeof inner === 'object' && !Array.isArray(inner)
          ? (inner as Record<string, unknown>)[b]
          : undefined;
      },
    };
  }
  return { definite: true, read: (value) => selectOne(value, steps) };
}

/** A name no object inherits and not an array index: a plain property read of an object is exact. */
function isPlainName(name: string): boolean {
  return !(name in Object.prototype) && !isIndexName(name);
}
