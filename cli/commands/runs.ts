import type { Command } from 'commander';
import type { ItemRecord, RunRecord } from '../../shared/ports';
import { emptyItemsWarning, tallyItems } from '../../shared/runState';
import {
  commandOutput,
  formatDuration,
  itemLabel,
  profileOperatorPorts,
  summarizeRun,
  toJson,
  type OperatorCommandOptions,
  type OperatorLocation,
} from '../operations';
import { renderTable } from '../progress/summaryTable';
import { resolveConfigDir, resolveDataDir } from '../paths';
import { UserError } from '../UserError';

interface RunsOptions {
  dataDir?: string;
  json?: boolean;
  limit?: string;
}

/** The widest error shown in a table; `--json` has the full text. */
const ERROR_WIDTH = 100;

/**
 * Adds `dif runs list` (newest first) and `dif runs show <runId>` (one line per item). Both read
 * run state only.
 *
 * @example
 * registerRunsCommands(program);
 * // dif runs list --limit 5
 * // dif runs show 20260115T060000Z-a1b2c3 --json
 */
export function registerRunsCommands(program: Command, options: OperatorCommandOptions = {}): Command {
  const ports = options.ports ?? profileOperatorPorts;
  const now = options.now ?? (() => new Date());
  const runs = program.command('runs').description('List runs and show what happened to each item of a run');

  runs
    .command('list')
    .description('List runs, newest first: status, start, duration, items ok/failed and rows loaded')
    .option('--limit <n>', 'how many runs to show', '20')
    .option('--data-dir <dir>', 'data directory of the runs (default: $DIF_HOME or .dif)')
    .option('--json', 'print JSON')
    .action(async function (this: Command, opts: RunsOptions) {
      const out = commandOutput(this);
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new UserError(`--limit must be a whole number of at least 1, got "${opts.limit}"`);
      const location = locationOf(opts);
      const runState = await ports.openRunState(location);
      try {
        const records = await runState.listRuns(limit);
        const live = await ports.liveRunIds?.(location);
        const summaries = await Promise.all(
          records.map(async (run) =>
            summarizeRun(run, await runState.listItems(run.runId), now(), live ? live.has(run.runId) : undefined),
          ),
        );
        if (opts.json) return out(toJson(summaries));
        if (summaries.length === 0) return out(`no runs in ${ports.where(location)}; start one with \`dif run\``);
        out(
          renderTable(
            ['RUN', 'STATUS', 'STARTED', 'DURATION', 'ITEMS', 'OK', 'FAILED', 'ROWS'],
            summaries.map((run) => [
              run.runId,
              run.status,
              run.startedAt,
              formatDuration(run.durationMs),
              run.items,
              run.ok,
              run.failed,
              run.rowsLoaded,
            ]),
          ),
        );
      } finally {
        await runState.close();
      }
    });

  runs
    .command('show')
    .description(
      'Show one run item by item: stage, attempts, pages, records in/out/rejected, rows loaded, error (exits 1 if the run does not exist)',
    )
    .argument('<runId>', 'a run id from `dif runs list`')
    .option('--data-dir <dir>', 'data directory of the runs (default: $DIF_HOME or .dif)')
    .option('--json', 'print JSON')
    .action(async function (this: Command, runId: string, opts: RunsOptions) {
      const out = commandOutput(this);
      const location = locationOf(opts);
      const runState = await ports.openRunState(location);
      try {
        const run = await runState.getRun(runId);
        if (!run)
          throw new UserError(
            `run ${runId} not found in ${ports.where(location)}; list the runs there with \`dif runs list\` (or pass --data-dir)`,
          );
        const items = await runState.listItems(runId);
        const live = await ports.liveRunIds?.(location);
        const alive = live ? live.has(runId) : undefined;
        if (opts.json)
          return out(
            toJson({
              ...run,
              status: summarizeRun(run, items, now(), alive).status,
              totals: summarizeRun(run, items, now(), alive),
              items: items.map((item) => ({ label: itemLabel(item), ...item })),
            }),
          );
        out(renderRunHeader(run, items, now(), alive));
        out('');
        out(
          items.length === 0
            ? '(no items: the run failed before planning, or planned nothing)'
            : renderItemTable(items),
        );
      } finally {
        await runState.close();
      }
    });

  return runs;
}

function locationOf(opts: RunsOptions): OperatorLocation {
  return { dataDir: resolveDataDir(opts.dataDir), configDir: resolveConfigDir(undefined) };
}

function renderRunHeader(run: RunRecord, items: ItemRecord[], now: Date, alive: boolean | undefined): string {
  const summary = summarizeRun(run, items, now, alive);
  const trigger = run.trigger
    ? Object.entries(run.trigger)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ')
    : '-';
  return [
    `run:      ${run.runId}`,
    `status:   ${summary.status}`,
    `started:  ${run.startedAt}`,
    `finished: ${run.finishedAt ?? '(not finished)'}`,
    `duration: ${formatDuration(summary.durationMs)}`,
    `trigger:  ${trigger}`,
    `items:    ${summary.items} (${summary.ok} loaded, ${summary.failed} failed, ${summary.pending} not finished) · rows loaded ${summary.rowsLoaded.toLocaleString('en-US')}`,
    ...emptyItemsWarning(tallyItems(items).empty).map((warning) => `warning:  ${warning}`),
  ].join('\n');
}

function renderItemTable(items: ItemRecord[]): string {
  const sorted = [...items].sort((a, b) => itemLabel(a).localeCompare(itemLabel(b)));
  // Child-table rows get their own column, shown only when some stream has child tables.
  const withChildren = items.some((item) => item.childRows !== undefined);
  return renderTable(
    [
      'ITEM',
      'STAGE',
      'ATTEMPTS',
      'PAGES',
      'IN',
      'OUT',
      'REJECTED',
      'ROWS',
      ...(withChildren ? ['CHILD ROWS'] : []),
      'ERROR',
    ],
    sorted.map((item) => [
      itemLabel(item),
      item.empty ? `${item.stage} (empty)` : item.stage,
      item.attempts,
      item.pages ?? 0,
      item.recordsIn ?? 0,
      item.recordsOut ?? 0,
      item.recordsRejected ?? 0,
      item.rowsLoaded ?? 0,
      ...(withChildren ? [childRowsOf(item)] : []),
      oneLine(
        item.error
          ? `${item.stage === 'failed' ? '' : '(recovered) '}${item.error}`
          : item.supersededBy
            ? `skipped: newer data already loaded (${item.supersededBy})`
            : '',
      ),
    ]),
  );
}

/** Rows loaded into the item's child tables, all together. */
function childRowsOf(item: ItemRecord): number {
  return Object.values(item.childRows ?? {}).reduce((sum, rows) => sum + rows, 0);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_WIDTH ? `${flat.slice(0, ERROR_WIDTH - 1)}…` : flat;
}
