import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's own folder: its sources/ and clients/ are the demo configuration. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * An initialised, empty warehouse a new data directory's warehouse starts as a copy of, made by
 * `npm run build:cli` (bin/build.mjs) so the first `npm start` skips PGlite's initdb.
 */
export const WAREHOUSE_TEMPLATE_DIR = resolve(PROJECT_ROOT, 'dist', 'warehouse-template');

/** Options every command accepts. */
export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/** `--data-dir`, else `DIF_HOME`, else `.dif/` in the current folder. */
export function resolveDataDir(option: string | undefined): string {
  return resolve(option ?? process.env.DIF_HOME ?? '.dif');
}

/** `--config`, else the project's own folder (the demo sources and clients). */
export function resolveConfigDir(option: string | undefined): string {
  return resolve(option ?? PROJECT_ROOT);
}
