import type { Command } from 'commander';
import { isCalendarDate } from '../../shared/config/isCalendarDate';
import { UserError } from '../UserError';
import { runLocally } from './run';

interface BackfillOptions {
  client: string;
  source: string;
  stream?: string;
  from: string;
  to: string;
  config?: string;
  dataDir?: string;
  json?: boolean;
  progress?: boolean;
}

/** A `--from`/`--to` value: a real calendar date, so a typo cannot turn into an empty backfill. */
function calendarDate(option: string, value: string): string {
  if (!isCalendarDate(value))
    throw new UserError(`${option} "${value}" is not a calendar date; give YYYY-MM-DD, e.g. ${option} 2026-01-01`);
  return value;
}

/**
 * `dif backfill`: re-pulls restated history. Plan takes exactly the date slices overlapping
 * `--from`..`--to` (on the stream's slice grid, loaded or not) and the run goes through the same
 * state machine as `dif run`, so rate limits, retries, loads and gap tracking are the same.
 *
 * @example
 * registerBackfillCommand(program);
 * // dif backfill --client acme --source graph_ads --stream campaign_insights --from 2026-01-01 --to 2026-01-31
 */
export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description(
      'Re-pull a date window locally (restated history): plans exactly the date slices overlapping --from..--to, then runs them like `dif run` (exits 1 if any item failed)',
    )
    .requiredOption('--client <client>', 'the client')
    .requiredOption('--source <source>', 'the source')
    .option('--stream <stream>', 'only this stream (default: every stream of the source with a date_range)')
    .requiredOption('--from <date>', 'first date, YYYY-MM-DD')
    .requiredOption('--to <date>', 'last date, YYYY-MM-DD (inclusive)')
    .option('--config <dir>', 'folder holding sources/ and clients/ (default: the project folder, i.e. the demo)')
    .option('--data-dir <dir>', 'local lake, queues, run state and warehouse (default: $DIF_HOME or .dif)')
    .option('--no-progress', 'do not draw live progress')
    .option('--json', 'print the summary as JSON')
    .action(async (options: BackfillOptions) => {
      const from = calendarDate('--from', options.from);
      const to = calendarDate('--to', options.to);
      if (from > to)
        throw new UserError(`--from ${from} is after --to ${to}; the window must not end before it starts`);
      const { from: _from, to: _to, ...rest } = options;
      await runLocally({ ...rest, backfill: { from, to } });
    });
}
