import { Readable } from 'node:stream';
import { Command, CommanderError } from 'commander';
import { openLocalCredentialsContext, registerCredentialsCommands } from '../../../../cli/commands/credentials';

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `dif <args>` in-process over a local data directory, as cli/main.ts wires it. */
export async function runCredentialsCli(dataDir: string, args: string[], stdin?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = new Command('dif')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
  registerCredentialsCommands(program, () => openLocalCredentialsContext(dataDir), {
    stdin: Readable.from(stdin === undefined ? [] : [Buffer.from(stdin)]),
  });
  try {
    await program.parseAsync(['node', 'dif', ...args]);
    return { stdout, stderr, exitCode: 0 };
  } catch (error) {
    if (error instanceof CommanderError) return { stdout, stderr, exitCode: error.exitCode };
    throw error;
  }
}
