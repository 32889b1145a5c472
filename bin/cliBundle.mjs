// The bundled CLI (dist/cli/, written by `node bin/build.mjs --cli`) and its inputs manifest, shared by
// bin/build.mjs (writes it) and bin/dif.mjs (decides whether the bundle may run). Plain JavaScript:
// it runs before any TypeScript can.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
export const CLI_BUNDLE_DIR = join(PROJECT_ROOT, 'dist', 'cli');
export const CLI_ENTRY = 'cli/main.ts';
const MANIFEST = 'inputs.json';

// node:crypto is loaded only when a file's stat changed: importing it costs more than the stats.
const hashOf = (path) =>
  createRequire(import.meta.url)('node:crypto')
    .createHash('sha256')
    .update(readFileSync(path))
    .digest('hex');

/**
 * Records every project file the bundle was built from (path, size, mtime, content hash).
 * `inputs` are paths relative to the project root, as esbuild's metafile names them.
 */
export function manifestOf(root, inputs) {
  const files = {};
  // Project files only: dependencies change through npm ci, which rebuilds; virtual modules are `namespace:path`.
  const projectFiles = inputs.filter((path) => !path.includes('node_modules/') && !/^[\w-]+:/.test(path));
  for (const input of projectFiles.sort()) {
    const path = join(root, input);
    const { size, mtimeMs } = statSync(path);
    files[input] = { size, mtimeMs, sha256: hashOf(path) };
  }
  return { entry: CLI_ENTRY, files };
}

export const manifestPath = (bundleDir) => join(bundleDir, MANIFEST);

/**
 * Why the bundle in `bundleDir` must not run, or undefined when it was built from the source as it is
 * now. Size and mtime equal → unchanged (one stat per file, a few ms); otherwise the content hash
 * decides, so a checkout that only touched mtimes does not force the slow path.
 */
export function bundleStaleness(bundleDir = CLI_BUNDLE_DIR, root = PROJECT_ROOT) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath(bundleDir), 'utf8'));
  } catch {
    return 'is not built';
  }
  for (const [input, recorded] of Object.entries(manifest.files ?? {})) {
    const path = join(root, input);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return `was built from ${input}, which is gone`;
    }
    if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) continue;
    if (stat.size !== recorded.size || hashOf(path) !== recorded.sha256) return `is older than ${input}`;
  }
  return Object.keys(manifest.files ?? {}).length === 0 ? 'has an empty inputs manifest' : undefined;
}
