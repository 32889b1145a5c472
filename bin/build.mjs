#!/usr/bin/env node
// Bundles DIF with esbuild into dist/:
//   Lambdas (default): every Lambda entry point and the ECS extractor task, CommonJS for Node 22
//     dist/{name}/index.js + sources/ + clients/  → zipped to dist/{name}.zip (serverless.yml artifacts)
//   --cli: the `dif` command, ESM split into lazily loaded chunks, for the Node that runs it
//     dist/cli/main.js + chunk-*.js + inputs.json  (bin/dif.mjs runs it while inputs.json matches the source)
// Usage: node bin/build.mjs [--no-zip] [--only plan,load] | node bin/build.mjs --cli
import {
  existsSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { configFolders, lambdaEntries, taskEntries } from '../serverless/functions.mjs';
import { zipDirectory } from '../serverless/zipDirectory.mjs';
import { CLI_BUNDLE_DIR, CLI_ENTRY, manifestOf, manifestPath } from './cliBundle.mjs';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const { values } = parseArgs({
  options: {
    'no-zip': { type: 'boolean', default: false },
    only: { type: 'string' },
    cli: { type: 'boolean', default: false },
  },
});

/** What every bundle shares: Node, bundled dependencies, readable stack traces. */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  // Native addons and packages that read their own files (PGlite's .wasm/.data) load from node_modules.
  external: ['better-sqlite3', '@electric-sql/pglite', 'pg-native', 'fsevents'],
  sourcemap: 'linked',
  sourcesContent: false,
  minify: false,
  keepNames: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

const kib = (result) => Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0) / 1024;

if (values.cli) await buildCli();
else await buildLambdas();

async function buildLambdas() {
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
      ...common,
      entryPoints: [join(root, entry)],
      outfile: join(outDir, 'index.js'),
      target: 'node22',
      // CommonJS: the AWS SDK stays external (the nodejs22.x runtime provides it under NODE_PATH,
      // which require() honours and ESM import does not). Entries build their context lazily.
      format: 'cjs',
      // The container entry bundles the SDK too (serverless/functions.mjs: bundleAwsSdk).
      external: [...(bundleAwsSdk ? [] : ['@aws-sdk/*']), ...common.external],
    });
    for (const folder of configFolders) {
      if (existsSync(join(root, folder))) cpSync(join(root, folder), join(outDir, folder), { recursive: true });
    }
    // Marks the bundle CommonJS whatever encloses it (this repository's package.json says "module").
    writeFileSync(join(outDir, 'package.json'), '{"type":"commonjs"}\n');
    const zip = values['no-zip'] ? undefined : zipDirectory(outDir, join(dist, `${name}.zip`));
    console.log(
      `build: ${name.padEnd(12)} ${kib(result).toFixed(0).padStart(6)} KiB bundle${zip ? `, ${(zip.bytes / 1024).toFixed(0)} KiB zip` : ''}`,
    );
  }
  console.log(`build: ${entries.length} entries in ${((Date.now() - started) / 1000).toFixed(1)} s → ${dist}`);
}

async function buildCli() {
  const started = Date.now();
  const outDir = CLI_BUNDLE_DIR;
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    // `dif run` skips validating this very definition again (profiles/local/ingestStateMachine.ts).
    define: { DIF_VALIDATED_ASL_SHA256: JSON.stringify(validatedIngestDefinitionHash()) },
    ...common,
    entryPoints: { main: join(root, CLI_ENTRY) },
    minify: true,
    outdir: outDir,
    target: 'node20',
    format: 'esm',
    // Every `await import()` becomes its own chunk: `dif --help` parses commander and the command
    // table, not the AWS SDK, PGlite's driver or the pipeline.
    splitting: true,
    // Bundled CommonJS packages call require() for Node built-ins; ESM has no require of its own.
    banner: {
      js: "import { createRequire as __difRequire } from 'node:module'; const require = __difRequire(import.meta.url);",
    },
    plugins: [sourceFileImportMetaUrl(outDir), withoutLambdaInvoke()],
  });
  writeFileSync(
    manifestPath(outDir),
    `${JSON.stringify(manifestOf(root, Object.keys(result.metafile.inputs)), null, 1)}\n`,
  );
  // What each chunk holds, for start-up work: npx esbuild --analyze is not needed, read it or feed it to esbuild's analyzer.
  writeFileSync(join(outDir, 'metafile.json'), JSON.stringify(result.metafile));
  removeOldChunks(outDir, result, started);
  console.log(
    `build: cli ${kib(result).toFixed(0)} KiB in ${((Date.now() - started) / 1000).toFixed(1)} s → ${outDir}`,
  );
  await buildWarehouseTemplate();
}

/**
 * dist/warehouse-template: an initialised, cleanly shut down PGlite data directory that a new local
 * warehouse starts as a copy of (cli/paths.ts WAREHOUSE_TEMPLATE_DIR, seedDataDir.ts), so the first
 * `npm start` does not run initdb (seconds, ~700 MB). Made again only when the installed PGlite changes.
 */
async function buildWarehouseTemplate() {
  const templateDir = join(dist, 'warehouse-template');
  // Beside the template, not in it: the template's files are copied into every new warehouse.
  const marker = `${templateDir}.version`;
  const packageJson = join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  const version = JSON.parse(readFileSync(packageJson, 'utf8')).version;
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === version) return;
  const started = Date.now();
  const staging = `${templateDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(staging);
  await db.close();
  rmSync(templateDir, { recursive: true, force: true });
  renameSync(staging, templateDir);
  writeFileSync(marker, `${version}\n`);
  console.log(
    `build: warehouse template (PGlite ${version}) in ${((Date.now() - started) / 1000).toFixed(1)} s → ${templateDir}`,
  );
}

/**
 * Validates statemachines/ingest.asl.yml as `dif run` does (aws-local-stepfunctions, ARNs unchecked:
 * locally Task resources are bound to handlers) and returns its SHA-256. An invalid definition fails
 * the build.
 */
function validatedIngestDefinitionHash() {
  const bytes = readFileSync(join(root, 'statemachines', 'ingest.asl.yml'));
  new StateMachine(parse(bytes.toString('utf8')), { validationOptions: { checkArn: false } });
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Project code finds files beside it (statemachines/ingest.asl.yml, the demo's sources/ and clients/)
 * through `import.meta.url`. In a bundle that would name the chunk in dist/cli/, so each project file's
 * `import.meta.url` is rewritten to its own source location, relative to the chunk: the bundle keeps
 * working wherever the clone lives. `import.meta.dirname`/`filename` would not be rewritten: refused.
 */
function sourceFileImportMetaUrl(outDir) {
  return {
    name: 'source-file-import-meta-url',
    setup(builder) {
      builder.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (/import\.meta\.(dirname|filename)/.test(text)) {
          return {
            errors: [{ text: 'use import.meta.url (the CLI bundle rewrites it to this file), not dirname/filename' }],
          };
        }
        if (!text.includes('import.meta.url')) return undefined;
        const fromChunk = relative(outDir, args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`;
        return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/**
 * aws-local-stepfunctions imports the AWS SDK's Lambda client (and Cognito credentials) for Task
 * states that have no local handler. `dif run` binds every Task state to a service handler, so the
 * CLI bundle gets a stand-in that fails loudly if one ever had none, instead of ~1.1 MB of AWS SDK
 * parsed on every run.
 */
function withoutLambdaInvoke() {
  const stub = `
    const fail = () => {
      throw new Error('a Task state has no local handler: dif run binds each Task to a service handler and does not invoke AWS Lambda');
    };
    export class LambdaClient { constructor() { fail(); } }
    export class InvokeCommand { constructor() { fail(); } }
    export const fromCognitoIdentityPool = fail;`;
  return {
    name: 'without-lambda-invoke',
    setup(builder) {
      builder.onResolve({ filter: /^@aws-sdk\/(client-lambda|credential-providers)$/ }, (args) =>
        args.importer.includes(`${sep}aws-local-stepfunctions${sep}`)
          ? { path: args.path, namespace: 'no-lambda' }
          : undefined,
      );
      builder.onLoad({ filter: /.*/, namespace: 'no-lambda' }, () => ({ contents: stub, loader: 'js' }));
    },
  };
}

/**
 * Chunk names carry a content hash, so a rebuild adds files. Those of an earlier build go once they are
 * an hour old: a `dif run` started before the rebuild may still import one of them lazily.
 */
function removeOldChunks(outDir, result, started) {
  const current = new Set(Object.keys(result.metafile.outputs).map((output) => resolve(root, output)));
  for (const name of readdirSync(outDir)) {
    const path = join(outDir, name);
    if (name === 'inputs.json' || name === 'metafile.json' || current.has(path)) continue;
    if (started - statSync(path).mtimeMs > 3_600_000) rmSync(path, { force: true });
  }
}
