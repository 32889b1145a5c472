import type { ItemRecord } from '../../shared/ports';

/** Figures of one destination table in a run. */
export interface TableCounts {
  /** `schema.table` once the loader has named it, else `source.stream` (the item never reached the loader). */
  table: string;
  items: number;
  loaded: number;
  failed: number;
  recordsIn: number;
  recordsOut: number;
  recordsRejected: number;
  rowsLoaded: number;
}

/**
 * Groups a run's items by destination table. A child table (`childRows` of a loaded item) gets
 * its own line: the item counts for it too, its records stay with the stream's table.
 *
 * @example
 * tableCounts(items); // [{ table: 'acme.campaigns', items: 3, loaded: 3, failed: 0, rowsLoaded: 120, … }]
 */
export function tableCounts(items: ItemRecord[]): TableCounts[] {
  const tables = new Map<string, TableCounts>();
  for (const item of items) {
    const table = item.table ?? `${item.source}.${item.stream}`;
    const counts = countsOf(tables, table);
    counts.items += 1;
    if (item.stage === 'loaded') counts.loaded += 1;
    if (item.stage === 'failed') counts.failed += 1;
    counts.recordsIn += item.recordsIn ?? 0;
    counts.recordsOut += item.recordsOut ?? 0;
    counts.recordsRejected += item.recordsRejected ?? 0;
    counts.rowsLoaded += item.rowsLoaded ?? 0;
    for (const [childTable, rows] of Object.entries(item.childRows ?? {})) {
      const child = countsOf(tables, childTable);
      child.items += 1;
      if (item.stage === 'loaded') child.loaded += 1;
      child.rowsLoaded += rows;
    }
  }
  return [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));
}

/** The line of `table`, added (at zero) on first use. */
function countsOf(tables: Map<string, TableCounts>, table: string): TableCounts {
  let counts = tables.get(table);
  if (!counts) {
    counts = { table, items: 0, loaded: 0, failed: 0, recordsIn: 0, recordsOut: 0, recordsRejected: 0, rowsLoaded: 0 };
    tables.set(table, counts);
  }
  return counts;
}
