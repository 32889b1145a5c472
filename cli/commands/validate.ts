import type { Command } from 'commander';
import { PROJECT_ROOT, resolveConfigDir } from '../paths';
import { UserError } from '../UserError';

/** `dif validate`: checks a config folder and lists every problem with file:line and path. */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description(
      'Check sources/*.yml and clients/*.yml; exits non-zero and lists every problem (file:line: path: what was expected)',
    )
    .option('--config <dir>', 'folder holding sources/ and clients/ (default: the project folder)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { config?: string; json?: boolean }) => {
      const { ConfigError, formatProblem, loadConfig } = await import('../../shared/config');
      const { planProblems } = await import('../operations/planProblems');
      const dir = resolveConfigDir(options.config);
      try {
        const config = loadConfig(dir, { shippedCatalogParent: PROJECT_ROOT });
        const problems = planProblems(config, new Date());
        if (problems.length > 0) throw new ConfigError(problems);
        const summary = { ok: true, dir, sources: [...config.sources.keys()], clients: [...config.clients.keys()] };
        if (options.json) console.log(JSON.stringify(summary));
        else
          console.log(
            `ok: ${summary.sources.length} source(s) [${summary.sources.join(', ')}], ${summary.clients.length} client(s) [${summary.clients.join(', ')}] in ${dir}`,
          );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        if (options.json) {
          console.log(JSON.stringify({ ok: false, dir, problems: error.problems }));
          process.exitCode = 1;
          return;
        }
        throw new UserError(
          `${error.problems.length} problem(s) in ${dir}:\n${error.problems.map((problem) => `  ${formatProblem(problem)}`).join('\n')}`,
        );
      }
    });
}
