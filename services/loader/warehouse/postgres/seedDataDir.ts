import { cpSync, existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Starts a new PGlite data directory as a copy of `templateDir`, an initialised and cleanly shut
 * down one (`npm run build:cli` makes it). PGlite's own initdb runs a second PostgreSQL instance
 * and holds the new cluster in memory twice: it took seconds and ~700 MB of memory on the first
 * `npm start`. A directory that already holds anything is left alone, and a missing template
 * leaves PGlite to initdb as before. The copy lands under a temporary name and is renamed into
 * place, so a crash never leaves half a cluster behind.
 *
 * @example
 * seedDataDir('.dif/warehouse', 'dist/warehouse-template');
 * const db = new PGlite('.dif/warehouse');
 * @returns whether the directory was seeded from the template
 */
export function seedDataDir(dataDir: string, templateDir: string): boolean {
  if (!existsSync(join(templateDir, 'PG_VERSION'))) return false;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return false;
  const staging = `${dataDir}.seeding-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(templateDir, staging, { recursive: true, dereference: true });
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(staging, dataDir);
  return true;
}
