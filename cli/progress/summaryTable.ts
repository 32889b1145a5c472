import { emptyItemsWarning, type ItemTally } from '../../shared/runState';
import { formatBytes, formatCount } from './formatFigures';

/** Renders rows as an aligned plain-text table (numbers right-aligned). */
export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [
    headers,
    ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatCount(cell) : cell))),
  ];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => String(row[column] ?? '').length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const line = (row: (string | number)[]) =>
    row
      .map((cell, column) =>
        numeric[column] ? String(cell).padStart(widths[column]!) : String(cell).padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The end-of-run summary `dif run` prints. */
export function renderRunSummary(runId: string, status: string, durationMs: number, totals: ItemTally): string {
  const lines = [
    `run ${runId}: ${status} in ${(durationMs / 1000).toFixed(1)} s`,
    `items ${totals.items} (${Object.entries(totals.byStage)
      .map(([stage, count]) => `${count} ${stage}`)
      .join(', ')}) · pages ${formatCount(totals.pages)} · raw ${formatBytes(totals.rawBytes)}`,
    `records in ${formatCount(totals.recordsIn)} · out ${formatCount(totals.recordsOut)} · rejected ${formatCount(totals.recordsRejected)} · rows loaded ${formatCount(totals.rowsLoaded)}`,
  ];
  const tables = Object.entries(totals.rowsByTable).sort(([a], [b]) => a.localeCompare(b));
  if (tables.length > 0)
    lines.push(
      '',
      renderTable(
        ['table', 'rows loaded'],
        tables.map(([table, rows]) => [table, rows]),
      ),
    );
  for (const warning of emptyItemsWarning(totals.empty)) lines.push('', `warning: ${warning}`);
  if (totals.superseded.length > 0)
    lines.push(
      '',
      'superseded (skipped: a newer extraction of the same partition was already loaded):',
      ...totals.superseded.map((item) => `  ${item.label}${item.error ? `: ${item.error}` : ''}`),
    );
  if (totals.failed.length > 0)
    lines.push(
      '',
      'failed items:',
      ...totals.failed.map((failure) => `  ${failure.label}: ${failure.error ?? 'unknown error'}`),
    );
  return lines.join('\n');
}
