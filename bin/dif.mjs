#!/usr/bin/env node
// `dif` on the PATH (npm link / npx dif / npm start). Runs the bundled CLI in dist/cli/ (built by
// `npm ci` through the `prepare` script, or `npm run build:cli`) in this very process: it starts in a
// fraction of a second. When that bundle is missing or was built from other source than is here now,
// it says so in one line and runs the TypeScript source through tsx instead (a few seconds slower),
// so nobody runs stale code. DIF_FROM_SOURCE=1 always runs the source (the dev path), silently.
import { realpathSync } from 'node:fs';
import module, { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleStaleness, CLI_BUNDLE_DIR, CLI_ENTRY, PROJECT_ROOT } from './cliBundle.mjs';

const args = process.argv.slice(2);
const fromSource = process.env.DIF_FROM_SOURCE === '1';
const staleness = fromSource ? 'is bypassed' : bundleStaleness();

if (staleness === undefined) {
  // Node 22.1+ keeps compiled bundle code on disk between runs (a no-op where it is missing, as on 20).
  module.enableCompileCache?.();
  const { runAsProcess } = await import(pathToFileURL(join(CLI_BUNDLE_DIR, 'main.js')).href);
  await runAsProcess(args);
} else {
  if (!fromSource) {
    console.error(
      `dif: the bundled CLI ${staleness}; running the source with tsx (slower) — rebuild: npm run build:cli`,
    );
  }
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  // The real path: cli/main.ts runs itself only when it is the main module under the name node resolved.
  const entry = realpathSync(join(PROJECT_ROOT, CLI_ENTRY));
  // Loaded here: child_process costs the bundled path a few milliseconds it does not need.
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync(process.execPath, [tsx, entry, ...args], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
