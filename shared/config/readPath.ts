/**
 * Reads a `$.a.b[0]` path (the subset the config schema allows) from a parsed JSON value.
 * `[*]` flattens arrays. Returns undefined when any step is missing.
 *
 * @example
 * readPath({ paging: { cursors: { after: 'x' } } }, '$.paging.cursors.after'); // 'x'
 */
export function readPath(value: unknown, path: string): unknown {
  const steps = path.replace(/^\$/, '').match(/\.[^.[]+|\[\d+\]|\[\*\]/g) ?? [];
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || current === undefined) return undefined;
    if (step === '[*]') {
      if (!Array.isArray(current)) return undefined;
      continue;
    }
    if (step.startsWith('[')) {
      current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
    } else if (Array.isArray(current)) {
      current = current.map((entry) =>
        entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[step.slice(1)] : undefined,
      );
    } else {
      current = typeof current === 'object' ? (current as Record<string, unknown>)[step.slice(1)] : undefined;
    }
  }
  return current;
}
