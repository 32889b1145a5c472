import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, formatProblem, loadConfig } from '../../../../shared/config';

/**
 * The problems `dif validate` lists for these files (`sources/x.yml`, `clients/y.yml`), as it
 * prints them, with file names relative to the config folder. Empty when the config loads.
 */
export function problemsOf(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'dif-problems-'));
  mkdirSync(join(dir, 'sources'));
  mkdirSync(join(dir, 'clients'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    loadConfig(dir);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => formatProblem(problem).split(`${dir}/`).join(''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
