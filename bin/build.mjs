#!/usr/bin/env node
// Bundles every Lambda entry point (and the ECS extractor task) with esbuild into dist/:
//   dist/{name}/index.js  + sources/ + clients/   → zipped to dist/{name}.zip (serverless.yml artifacts)
// Usage: node bin/build.mjs [--no-zip] [--only plan,load]
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { configFolders, lambdaEntries, taskEntries } from '../serverless/functions.mjs';
import { zipDirectory } from '../serverless/zipDirectory.mjs';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const { values } = parseArgs({ options: { 'no-zip': { type: 'boolean', default: false }, only: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : undefined;
const entries = [...lambdaEntries, ...taskEntries].filter((entry) => !only || only.has(entry.name));

const missing = entries.filter((entry) => !existsSync(join(root, entry.entry)));
if (missing.length > 0) {
  console.error(`build: missing entry point(s): ${missing.map((entry) => entry.entry).join(', ')}`);
  process.exit(1);
}

mkdirSync(dist, { recursive: true });
const started = Date.now();
for (const { name, entry, bundleAwsSdk } of entries) {
  const outDir = join(dist, name);
  rmSync(outDir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node22',
    // CommonJS: the AWS SDK stays external (the nodejs22.x runtime provides it under NODE_PATH,
    // which require() honours and ESM import does not). Entries build their context lazily.
    format: 'cjs',
    // The container entry bundles the SDK too (serverless/functions.mjs: bundleAwsSdk).
    external: [
      ...(bundleAwsSdk ? [] : ['@aws-sdk/*']),
      'better-sqlite3',
      '@electric-sql/pglite',
      'pg-native',
      'fsevents',
    ],
    sourcemap: 'linked',
    sourcesContent: false,
    minify: false,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  for (const folder of configFolders) {
    if (existsSync(join(root, folder))) cpSync(join(root, folder), join(outDir, folder), { recursive: true });
  }
  // Marks the bundle CommonJS whatever encloses it (this repository's package.json says "module").
  writeFileSync(join(outDir, 'package.json'), '{"type":"commonjs"}\n');
  const bundleBytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
  const zip = values['no-zip'] ? undefined : zipDirectory(outDir, join(dist, `${name}.zip`));
  console.log(
    `build: ${name.padEnd(12)} ${(bundleBytes / 1024).toFixed(0).padStart(6)} KiB bundle${zip ? `, ${(zip.bytes / 1024).toFixed(0)} KiB zip` : ''}`,
  );
}
console.log(`build: ${entries.length} entries in ${((Date.now() - started) / 1000).toFixed(1)} s → ${dist}`);
