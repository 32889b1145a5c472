import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleStaleness, manifestOf, manifestPath } from '../../bin/cliBundle.mjs';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { ...options, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

interface Metafile {
  outputs: Record<
    string,
    { imports: { path: string; kind: string; external?: boolean }[]; inputs: Record<string, unknown> }
  >;
}

/** Every input and external package a chunk loads before it runs (static imports only). */
function staticClosure(meta: Metafile, entry: string): { inputs: string[]; externals: string[] } {
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (output: string) => {
    if (seen.has(output)) return;
    seen.add(output);
    for (const imported of meta.outputs[output]!.imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) externals.add(imported.path);
      else if (meta.outputs[imported.path]) visit(imported.path);
    }
  };
  visit(entry);
  return {
    inputs: [...seen].flatMap((output) => Object.keys(meta.outputs[output]!.inputs)),
    externals: [...externals],
  };
}

describe('the bundled CLI (npm run build:cli, bin/dif.mjs)', () => {
  // A project folder of its own (bin/ and dist/ copied or built there, the source linked), so the
  // test neither depends on nor rewrites the developer's dist/cli.
  let project: string;
  let dataDir: string;
  const dif = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    node([join(project, 'bin', 'dif.mjs'), ...args], {
      cwd: project,
      env: { ...process.env, DIF_HOME: dataDir, ...env },
    });

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'dif-bundle-'));
    dataDir = join(project, 'data');
    // Copied: what the bundle locates through import.meta.url (cli/ finds sources/ and clients/, profiles/ the
    // state machine in statemachines/).
    for (const name of ['bin', 'cli', 'profiles', 'statemachines']) {
      cpSync(join(root, name), join(project, name), { recursive: true });
    }
    for (const name of [
      'shared',
      'services',
      'demo',
      'serverless',
      'sources',
      'clients',
      'node_modules',
      'package.json',
      'tsconfig.json',
    ]) {
      symlinkSync(join(root, name), join(project, name));
    }
    // The warehouse template `npm ci` made is reused when there is one (making it runs initdb).
    if (existsSync(join(root, 'dist', 'warehouse-template.version'))) {
      mkdirSync(join(project, 'dist'));
      symlinkSync(join(root, 'dist', 'warehouse-template'), join(project, 'dist', 'warehouse-template'));
      cpSync(join(root, 'dist', 'warehouse-template.version'), join(project, 'dist', 'warehouse-template.version'));
    }
    const build = await node([join(project, 'bin', 'build.mjs'), '--cli'], { cwd: project });
    expect(build.code, build.stderr).toBe(0);
  }, 180_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('dif --help loads commander and the command table, not the AWS SDK, PGlite, SQLite, zod or the pipeline', async () => {
    const meta = JSON.parse(readFileSync(join(project, 'dist', 'cli', 'metafile.json'), 'utf8')) as Metafile;
    const { inputs, externals } = staticClosure(meta, 'dist/cli/main.js');
    const heavy = inputs.filter((input) =>
      /node_modules\/(@aws-sdk|@smithy|zod|ioredis|pg|aws-local-stepfunctions|yaml|got)\//.test(input),
    );
    expect(heavy).toEqual([]);
    expect(inputs.filter((input) => /profiles\/|services\/(extractor|transformer|loader)\//.test(input))).toEqual([]);
    expect(externals).not.toContain('better-sqlite3');
    expect(externals).not.toContain('@electric-sql/pglite');

    const help = await dif(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/credentials/);
    expect(help.stderr).toBe('');
  });

  it('credentials list reads the clients through their schema alone: no source schemas, paging registry or luxon', async () => {
    const meta = JSON.parse(readFileSync(join(project, 'dist', 'cli', 'metafile.json'), 'utf8')) as Metafile;
    const chunk = Object.keys(meta.outputs).find((output) =>
      // Inputs are named relative to the build, where shared/ is a link to the checkout's.
      Object.keys(meta.outputs[output]!.inputs).some((input) => input.endsWith('shared/config/loadClients.ts')),
    )!;
    const { inputs } = staticClosure(meta, chunk);
    expect(inputs.some((input) => input.endsWith('shared/config/schema/client.ts'))).toBe(true);
    expect(
      inputs.filter((input) =>
        /node_modules\/luxon\/|shared\/config\/(paginate\/|schema\/source\.ts|loadConfig\.ts)/.test(input),
      ),
    ).toEqual([]);

    const list = await dif(['credentials', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/agency-amazon {2}initech\/sponsored_ads/);
  });

  it('reports a bad option from the minified bundle as the source does: what, and what to give', async () => {
    const backfill = await dif([
      'backfill',
      '--client',
      'acme',
      '--source',
      'demo_ads',
      '--from',
      '2026-02-30',
      '--to',
      '2026-03-01',
    ]);
    expect(backfill.code).not.toBe(0);
    expect(backfill.stderr).toMatch(/--from "2026-02-30" is not a calendar date; give YYYY-MM-DD/);
  });

  it('finds the demo configuration beside the source, wherever the bundle lies', async () => {
    const validate = await dif(['validate', '--json']);
    expect(validate.code, validate.stderr).toBe(0);
    const summary = JSON.parse(validate.stdout) as { ok: boolean; dir: string; clients: string[] };
    expect(summary.ok).toBe(true);
    expect(summary.clients).toContain('acme');
  });

  it('runs the local pipeline (the state machine read beside the source) and loads the warehouse', async () => {
    const result = await dif(['run', '--client', 'acme', '--source', 'demo_ads', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { status: string; items: number };
    expect(summary.status).toBe('succeeded');
    expect(summary.items).toBeGreaterThan(0);
    const sql = await dif(['sql', 'select count(*)::int as n from acme.campaigns', '--json']);
    expect(sql.code, sql.stderr).toBe(0);
    expect((JSON.parse(sql.stdout) as { n: number }[])[0]!.n).toBeGreaterThan(0);
  }, 180_000);

  it('validates a state machine definition other than the one its build validated', async () => {
    const aslFile = join(project, 'statemachines', 'ingest.asl.yml');
    const asl = readFileSync(aslFile, 'utf8');
    // Valid YAML that runs, but not valid ASL: only validation notices.
    writeFileSync(aslFile, asl.replace('  Plan:\n    Type: Task\n', '  Plan:\n    Type: Task\n    Bogus: true\n'));
    try {
      const result = await dif(['run', '--client', 'acme', '--source', 'demo_ads', '--json']);
      expect(result.code).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toMatch(/State machine definition is invalid/);
    } finally {
      writeFileSync(aslFile, asl);
    }
  }, 120_000);

  it('does not run a bundle built from other source: it says so in one line and runs the source', async () => {
    const manifestFile = manifestPath(join(project, 'dist', 'cli'));
    const original = readFileSync(manifestFile, 'utf8');
    const manifest = JSON.parse(original) as { files: Record<string, { size: number }> };
    const main = Object.keys(manifest.files).find((input) => input.endsWith('cli/main.ts'))!;
    manifest.files[main]!.size += 1; // as if cli/main.ts had been edited since the build
    writeFileSync(manifestFile, JSON.stringify(manifest));
    try {
      const help = await dif(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/credentials/);
      expect(help.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^dif: the bundled CLI is older than .*cli\/main\.ts; running the source with tsx/),
      ]);
    } finally {
      writeFileSync(manifestFile, original);
    }
  }, 60_000);
});

describe('bundleStaleness', () => {
  let dir: string;
  let bundleDir: string;
  const file = () => join(dir, 'src', 'a.ts');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dif-staleness-'));
    bundleDir = join(dir, 'dist');
    mkdirSync(join(dir, 'src'));
    mkdirSync(bundleDir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const build = (content: string) => {
    writeFileSync(file(), content);
    writeFileSync(manifestPath(bundleDir), JSON.stringify(manifestOf(dir, ['src/a.ts', 'node_modules/x/index.js'])));
  };

  it('is fresh while the sources are as built, even when only their mtime changed (a checkout)', () => {
    build('export const a = 1;\n');
    expect(bundleStaleness(bundleDir, dir)).toBeUndefined();
    utimesSync(file(), new Date(), new Date(Date.now() + 60_000));
    expect(bundleStaleness(bundleDir, dir)).toBeUndefined();
  });

  it('is stale when a source changed, even to the same size, and names it', () => {
    build('export const a = 1;\n');
    writeFileSync(file(), 'export const a = 2;\n');
    expect(bundleStaleness(bundleDir, dir)).toBe('is older than src/a.ts');
  });

  it('is stale when a source is gone, and when there is no bundle', () => {
    build('export const a = 1;\n');
    rmSync(file());
    expect(bundleStaleness(bundleDir, dir)).toBe('was built from src/a.ts, which is gone');
    expect(bundleStaleness(join(dir, 'nowhere'), dir)).toBe('is not built');
  });
});
