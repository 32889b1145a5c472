/**
 * Column names made unique in order, first come first served: a name already used gets `_2`,
 * `_3`…, so rows keyed by column keep every column of `select count(*), sum(a), sum(b)`.
 *
 * @example
 * uniqueColumnNames(['count', 'sum', 'sum']); // ['count', 'sum', 'sum_2']
 * uniqueColumnNames(['sum', 'sum', 'sum_2']); // ['sum', 'sum_2', 'sum_2_2']
 */
export function uniqueColumnNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; taken.has(unique); n++) unique = `${name}_${n}`;
    taken.add(unique);
    return unique;
  });
}
