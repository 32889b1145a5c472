import type { ItemRecord, ItemStage } from '../ports/RunStateStore';

/** `client/source/stream/partition`: how every report, log and console label names an item. */
export function itemLabel(item: Pick<ItemRecord, 'client' | 'source' | 'stream' | 'partition'>): string {
  return `${item.client}/${item.source}/${item.stream}/${item.partition}`;
}

export interface ItemProblem {
  itemId: string;
  label: string;
  stage: ItemStage;
  error?: string;
}

/** A run's figures, added up from its items. */
export interface ItemTally {
  items: number;
  byStage: Partial<Record<ItemStage, number>>;
  pages: number;
  rawBytes: number;
  recordsIn: number;
  recordsOut: number;
  recordsRejected: number;
  rowsLoaded: number;
  /** Rows loaded per warehouse table (`schema.table`, as the loader records it). */
  rowsByTable: Record<string, number>;
  /** Items in stage `failed`. */
  failed: ItemProblem[];
  /** Items whose batch was skipped because newer data of the same partition was already loaded (stage `superseded`). */
  superseded: ItemProblem[];
  /** Items neither loaded nor failed: still running, or abandoned. */
  unfinished: ItemProblem[];
  /** Loaded items whose raw data held no records (allowed by `expect_records`): a warning, not a failure. */
  empty: ItemProblem[];
}

/**
 * Adds up a run's items. Finalize, `dif run`'s progress and summary all use it, so the figures
 * agree wherever a person reads them.
 */
export function tallyItems(items: ItemRecord[]): ItemTally {
  const tally: ItemTally = {
    items: items.length,
    byStage: {},
    pages: 0,
    rawBytes: 0,
    recordsIn: 0,
    recordsOut: 0,
    recordsRejected: 0,
    rowsLoaded: 0,
    rowsByTable: {},
    failed: [],
    superseded: [],
    unfinished: [],
    empty: [],
  };
  for (const item of items) {
    tally.byStage[item.stage] = (tally.byStage[item.stage] ?? 0) + 1;
    tally.pages += item.pages ?? 0;
    tally.rawBytes += item.rawBytes ?? 0;
    tally.recordsIn += item.recordsIn ?? 0;
    tally.recordsOut += item.recordsOut ?? 0;
    tally.recordsRejected += item.recordsRejected ?? 0;
    tally.rowsLoaded += item.rowsLoaded ?? 0;
    if (item.table) tally.rowsByTable[item.table] = (tally.rowsByTable[item.table] ?? 0) + (item.rowsLoaded ?? 0);
    for (const [table, rows] of Object.entries(item.childRows ?? {})) {
      tally.rowsLoaded += rows;
      tally.rowsByTable[table] = (tally.rowsByTable[table] ?? 0) + rows;
    }
    if (item.stage === 'loaded') {
      if (item.empty) tally.empty.push({ itemId: item.itemId, label: itemLabel(item), stage: item.stage });
      continue;
    }
    const problem: ItemProblem = {
      itemId: item.itemId,
      label: itemLabel(item),
      stage: item.stage,
      ...(item.error ? { error: item.error } : {}),
    };
    if (item.stage === 'superseded') {
      tally.superseded.push({
        ...problem,
        ...(item.supersededBy ? { error: `superseded by ${item.supersededBy}` } : {}),
      });
      continue;
    }
    (item.stage === 'failed' ? tally.failed : tally.unfinished).push(problem);
  }
  return tally;
}
