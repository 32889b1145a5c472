import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveConfigDir, resolveDataDir } from '../paths';
import { UserError } from '../UserError';

export interface RunOptions {
  client?: string;
  source?: string;
  stream?: string;
  /** `dif backfill`: plan exactly the date slices overlapping from..to. */
  backfill?: { from: string; to: string };
  config?: string;
  dataDir?: string;
  json?: boolean;
  progress?: boolean;
  wait?: boolean | string;
}

/** `dif run`: the whole pipeline, locally, through the deployed state machine definition. */
export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'Run the pipeline locally: plan, extract, transform and load every selected item (exits 1 if any item failed)',
    )
    .option('--client <client>', 'only this client')
    .option('--source <source>', 'only this source')
    .option('--stream <stream>', 'only this stream')
    .option('--config <dir>', 'folder holding sources/ and clients/ (default: the project folder, i.e. the demo)')
    .option('--data-dir <dir>', 'local lake, queues, run state and warehouse (default: $DIF_HOME or .dif)')
    .option(
      '--wait [seconds]',
      'when another run holds the data directory, wait for it to finish (for good, or up to this many seconds) instead of failing at once',
    )
    .option('--no-progress', 'do not draw live progress')
    .option('--json', 'print the summary as JSON')
    .action((options: RunOptions) => runLocally(options));
}

/**
 * Runs the pipeline locally for `dif run` and `dif backfill`: the demo API when the config uses it,
 * live progress, a log file per run, the summary, and exit code 1 when the run failed.
 *
 * @example
 * await runLocally({ client: 'acme', backfill: { from: '2026-01-01', to: '2026-01-07' } });
 */
export async function runLocally(options: RunOptions): Promise<void> {
  const [{ redirectLogs }, { LocalRuntime, newRunId }, { prepareDemoEnvironment }, { RunProgress }] = await Promise.all(
    [
      import('../../shared/log'),
      import('../../profiles/local/LocalRuntime'),
      import('../../profiles/local/demoEnvironment'),
      import('../progress/RunProgress'),
    ],
  );
  const [{ tallyItems }, { renderRunSummary }] = await Promise.all([
    import('../../shared/runState'),
    import('../progress/summaryTable'),
  ]);
  const dataDir = resolveDataDir(options.dataDir);
  const runId = newRunId(new Date());
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  const logFile = join(dataDir, 'logs', `run-${runId}.jsonl`);
  redirectLogs(createWriteStream(logFile, { flags: 'a' }));
  const command = options.backfill ? 'dif backfill' : 'dif run';
  const runtime = await LocalRuntime.open({
    configDir: resolveConfigDir(options.config),
    dataDir,
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
    lock: { command, waitMs: waitMsOf(options.wait) },
  });
  const { recovered } = runtime.ctx.ports;
  // On stderr even with --json: stdout stays one JSON object.
  if (recovered.messages > 0 || recovered.abandonedRuns.length > 0)
    console.error(
      `recovered after a crash: ${recovered.abandonedRuns.length} run(s) marked abandoned (${recovered.abandonedRuns.join(', ') || 'none'}), ${recovered.messages} in-flight message(s) redelivered now`,
    );
  const demo = await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
  const progress = new RunProgress(runtime.ctx.ports.runState, runId);
  if (options.progress !== false && !options.json) progress.start();
  try {
    if (demo && !options.json) console.error(`demo API listening on ${demo.url}`);
    const outcome = await runtime.run(
      { client: options.client, source: options.source, stream: options.stream, backfill: options.backfill },
      runId,
      command,
    );
    if (options.progress !== false && !options.json) await progress.stop();
    const totals = tallyItems(await runtime.ctx.ports.runState.listItems(runId));
    const failed = outcome.result.status === 'failed';
    if (options.json) {
      console.log(
        JSON.stringify({
          runId,
          status: outcome.result.status,
          durationMs: outcome.durationMs,
          ...totals,
          error: failed ? outcome.result : undefined,
          logFile,
        }),
      );
    } else if (outcome.result.status === 'failed' && totals.items === 0) {
      // Nothing was planned (a bad filter or config): the error is the whole story.
      console.error(
        `error: run ${runId} failed before any item started — ${outcome.result.error}: ${outcome.result.cause}`,
      );
    } else {
      console.log(renderRunSummary(runId, outcome.result.status, outcome.durationMs, totals));
      if (outcome.result.status === 'failed' && totals.failed.length === 0)
        console.log(`\n${outcome.result.error}: ${outcome.result.cause}`);
      const gaps = (await runtime.ctx.ports.runState.getRun(runId))?.summary?.gaps;
      if (Array.isArray(gaps) && gaps.length > 0)
        console.log(
          `\n${gaps.length} partition(s) have never loaded (gaps): ${gaps.map((gap: { label?: string }) => gap.label).join(', ')}\nrun again (\`dif run\`) to plan them again; \`dif status\` lists them until they load`,
        );
      const table = Object.keys(totals.rowsByTable).sort()[0] ?? '<schema>.<table>';
      const dataDirOption = options.dataDir ? ` --data-dir ${options.dataDir}` : '';
      console.log(
        `\nlogs:   ${logFile}\nquery:  npx dif sql "select * from ${table} limit 10"${dataDirOption}\nreport: npx dif report ${runId}${dataDirOption}`,
      );
    }
    if (failed) process.exitCode = 1;
  } finally {
    await demo?.close();
    await runtime.close();
  }
}

/** `--wait` alone waits for good; `--wait 600` up to 600 s; absent fails at once. */
function waitMsOf(wait: boolean | string | undefined): number {
  if (wait === undefined || wait === false) return 0;
  if (wait === true) return Number.POSITIVE_INFINITY;
  const seconds = Number(wait);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new UserError(`--wait takes a number of seconds (or nothing, to wait for good), got "${wait}"`);
  return seconds * 1000;
}
