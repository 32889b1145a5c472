import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveConfigDir, resolveDataDir } from '../paths';

interface RunOptions {
  client?: string;
  source?: string;
  stream?: string;
  config?: string;
  dataDir?: string;
  json?: boolean;
  progress?: boolean;
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
    .option('--no-progress', 'do not draw live progress')
    .option('--json', 'print the summary as JSON')
    .action(async (options: RunOptions) => {
      const [{ redirectLogs }, { LocalRuntime, newRunId }, { prepareDemoEnvironment }, { RunProgress }] =
        await Promise.all([
          import('../../shared/log'),
          import('../localRuntime/LocalRuntime'),
          import('../localRuntime/demoEnvironment'),
          import('../progress/RunProgress'),
        ]);
      const [{ tallyItems }, { renderRunSummary }] = await Promise.all([
        import('../../shared/runState'),
        import('../progress/summaryTable'),
      ]);
      const dataDir = resolveDataDir(options.dataDir);
      const runtime = await LocalRuntime.open({
        configDir: resolveConfigDir(options.config),
        dataDir,
        databaseUrl: process.env.DATABASE_URL,
        redisUrl: process.env.REDIS_URL,
      });
      const demo = await prepareDemoEnvironment(runtime.ctx.config, runtime.credentials);
      const runId = newRunId(new Date());
      mkdirSync(join(dataDir, 'logs'), { recursive: true });
      const logFile = join(dataDir, 'logs', `run-${runId}.jsonl`);
      redirectLogs(createWriteStream(logFile, { flags: 'a' }));
      const progress = new RunProgress(runtime.ctx.ports.runState, runId);
      if (options.progress !== false && !options.json) progress.start();
      try {
        if (demo && !options.json) console.error(`demo API listening on ${demo.url}`);
        const outcome = await runtime.run(
          { client: options.client, source: options.source, stream: options.stream },
          runId,
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
    });
}
