/** One problem in a configuration file, located precisely enough to fix without searching. */
export interface ConfigProblem {
  file: string;
  /** 1-based line in the file when known. */
  line?: number;
  /** Path inside the document, e.g. `streams.campaigns.load.mode`. */
  path: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}` : problem.file;
  return `${where}: ${problem.path}: ${problem.message}`;
}

/** Raised when a configuration folder has problems; carries all of them, not only the first. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `${problems.length} configuration problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}
