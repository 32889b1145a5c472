/** Reads a value from a record by a dotted path (`metrics.spend`, `actions.0.value`). */
export type FieldGetter = (record: Record<string, unknown>) => unknown;

/**
 * Compiles a dotted path into a getter. One- and two-segment paths (the common cases) get
 * dedicated closures, so the hot path does no splitting or looping.
 *
 * @example
 * fieldGetter('metrics.spend')({ metrics: { spend: '1.5' } }) // '1.5'
 */
export function fieldGetter(path: string): FieldGetter {
  const segments = path.split('.');
  if (segments.length === 1) {
    const [a] = segments as [string];
    return (record) => record[a];
  }
  if (segments.length === 2) {
    const [a, b] = segments as [string, string];
    return (record) => {
      const inner = record[a];
      return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>)[b] : undefined;
    };
  }
  return (record) => {
    let current: unknown = record;
    for (const segment of segments) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };
}
