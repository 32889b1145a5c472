import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../../shared/config';
import { UserError } from '../../../cli/UserError';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a `dif` command in process on a freshly built program, capturing what it prints, and maps
 * errors to exit codes the way `cli/main.ts` does (UserError → its code, ConfigError → 1).
 */
export async function runCli(build: () => Command, args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const program = build();
  const output = {
    writeOut: (text: string) => void (stdout += text),
    writeErr: (text: string) => void (stderr += text),
  };
  program.configureOutput(output);
  // Subcommands copied the output settings when they were created; give them the capture too.
  const visit = (command: Command) =>
    command.commands.forEach((child) => (child.configureOutput(output), visit(child)));
  visit(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode, stdout, stderr };
    if (error instanceof UserError)
      return { code: error.exitCode, stdout, stderr: stderr + `error: ${error.message}\n` };
    if (error instanceof ConfigError) return { code: 1, stdout, stderr: stderr + `error: ${error.message}\n` };
    throw error;
  }
}

/** A bare `dif` program for commands registered with injected options (clock, ports). */
export function bareProgram(register: (program: Command) => void): () => Command {
  return () => {
    const program = new Command('dif').exitOverride();
    register(program);
    return program;
  };
}
