import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { commandOutput, profileOperatorPorts, toJson, type OperatorCommandOptions } from '../operations';
import { renderRunReport } from '../report';
import { resolveConfigDir, resolveDataDir } from '../paths';
import { UserError } from '../UserError';

interface ReportOptions {
  out?: string;
  dataDir?: string;
  json?: boolean;
}

/**
 * Adds `dif report <runId>`: writes the run as one self-contained HTML page (timeline per item,
 * counts per table, errors with their cause) that opens offline and can be attached to a ticket.
 *
 * @example
 * registerReportCommand(program);
 * // dif report 20260115T060000Z-a1b2c3 --out run.html
 */
export function registerReportCommand(program: Command, options: OperatorCommandOptions = {}): Command {
  const ports = options.ports ?? profileOperatorPorts;
  const now = options.now ?? (() => new Date());
  return program
    .command('report')
    .description(
      'Write a self-contained HTML report of a run: timeline of items by stage, counts per table, errors (exits 1 if the run does not exist)',
    )
    .argument('<runId>', 'a run id from `dif runs list`')
    .option('--out <file>', 'where to write the page; "-" for stdout (default: <data-dir>/reports/<runId>.html)')
    .option('--data-dir <dir>', 'data directory of the runs (default: $DIF_HOME or .dif)')
    .option('--json', 'print {runId, file, items} as JSON instead of a sentence')
    .action(async function (this: Command, runId: string, opts: ReportOptions) {
      const out = commandOutput(this);
      const location = { dataDir: resolveDataDir(opts.dataDir), configDir: resolveConfigDir(undefined) };
      const runState = await ports.openRunState(location);
      let html: string;
      let items: number;
      try {
        const run = await runState.getRun(runId);
        if (!run)
          throw new UserError(
            `run ${runId} not found in ${ports.where(location)}; list the runs there with \`dif runs list\` (or pass --data-dir)`,
          );
        const records = await runState.listItems(runId);
        items = records.length;
        html = renderRunReport(run, records, { now: now() });
      } finally {
        await runState.close();
      }
      if (opts.out === '-') return out(html);
      const file = resolve(opts.out ?? join(location.dataDir, 'reports', `${safeFileName(runId)}.html`));
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, html);
      out(opts.json ? toJson({ runId, file, items }) : `wrote the report of run ${runId} (${items} items) to ${file}`);
    });
}

/** Run ids are ours, but the argument is the user's: keep it to one path segment. */
function safeFileName(runId: string): string {
  return runId.replace(/[^\w.-]/g, '_');
}
