import type { ItemRecord } from '../../shared/ports';

/** What a person wants to know about a run at a glance, computed from its items. */
export interface RunTotals {
  items: number;
  byStage: Record<string, number>;
  pages: number;
  rawBytes: number;
  recordsIn: number;
  recordsOut: number;
  recordsRejected: number;
  rowsLoaded: number;
  rowsByTable: Record<string, number>;
  failed: { label: string; error: string }[];
}

export function runTotals(items: ItemRecord[]): RunTotals {
  const totals: RunTotals = { items: items.length, byStage: {}, pages: 0, rawBytes: 0, recordsIn: 0, recordsOut: 0, recordsRejected: 0, rowsLoaded: 0, rowsByTable: {}, failed: [] };
  for (const item of items) {
    totals.byStage[item.stage] = (totals.byStage[item.stage] ?? 0) + 1;
    totals.pages += item.pages ?? 0;
    totals.rawBytes += item.rawBytes ?? 0;
    totals.recordsIn += item.recordsIn ?? 0;
    totals.recordsOut += item.recordsOut ?? 0;
    totals.recordsRejected += item.recordsRejected ?? 0;
    totals.rowsLoaded += item.rowsLoaded ?? 0;
    if (item.table) totals.rowsByTable[item.table] = (totals.rowsByTable[item.table] ?? 0) + (item.rowsLoaded ?? 0);
    if (item.stage === 'failed') totals.failed.push({ label: `${item.client}/${item.source}/${item.stream}/${item.partition}`, error: item.error ?? 'unknown error' });
  }
  return totals;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}
