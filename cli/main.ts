#!/usr/bin/env node
import '../shared/runtime/polyfills';
import { Command, CommanderError } from 'commander';
// Only what `dif --help` needs loads here: each command imports its machinery when it runs.
import { redact } from '../shared/log/secretRedactor';
import { registerRunCommand } from './commands/run';
import { registerBackfillCommand } from './commands/backfill';
import { registerValidateCommand } from './commands/validate';
import { registerSqlCommand } from './commands/sql';
import { registerSchemaCommand } from './commands/schema';
import { registerRunsCommands } from './commands/runs';
import { registerStatusCommand } from './commands/status';
import { registerDlqCommands } from './commands/dlq';
import { registerReportCommand } from './commands/report';
import { registerStartCommand } from './commands/start';
import { registerCredentialsCommands, openLocalCredentialsContext } from './commands/credentials';
import { registerCatalogCommands, registerInitCommands } from './commands/catalog';
import { resolveDataDir } from './paths';
import { UserError } from './UserError';
import { isUserFacing } from './isUserFacing';
import { exitAfterOutput } from '../shared/runtime/exitAfterOutput';

/** Builds the `dif` command line (exported for in-process tests). */
export function buildProgram(): Command {
  const program = new Command('dif')
    .description('DIF — Data Ingestion Framework: extract API data, clean it, load it into the warehouse')
    .showHelpAfterError()
    .exitOverride();
  registerRunCommand(program);
  registerBackfillCommand(program);
  registerStartCommand(program);
  registerValidateCommand(program);
  registerSqlCommand(program);
  registerSchemaCommand(program);
  registerRunsCommands(program);
  registerStatusCommand(program);
  registerDlqCommands(program);
  registerReportCommand(program);
  registerCredentialsCommands(program, (options) => openLocalCredentialsContext(resolveDataDir(options.dataDir)));
  registerCatalogCommands(program);
  registerInitCommands(program);
  return program;
}

/** Runs the CLI; user errors print their message alone, without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isUserFacing(error)) {
      console.error(`error: ${redact(error.message)}`);
      return error instanceof UserError ? error.exitCode : 1;
    }
    console.error(
      `unexpected error: ${redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
    );
    return 2;
  }
}

/** Runs the CLI as the whole process: exits with its code once output is flushed (bin/dif.mjs, `tsx cli/main.ts`). */
export function runAsProcess(argv: string[]): Promise<never> {
  return main(argv).then(exitAfterOutput);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  void runAsProcess(process.argv.slice(2));
}
