/**
 * Cold start of the `dif` command as a user types it (`node bin/dif.mjs …`, what `npx dif` runs),
 * as a ratio to a bare `node -e 0` measured in the same run, interleaved, median of --reps.
 * Commands: `dif --help`, `dif credentials list`, `dif sql "select 1"` (opens the embedded
 * warehouse; its share is measured on its own), and for comparison `dif --help` from the
 * TypeScript source through tsx (what every command cost before the bundle).
 * With DATABASE_URL set, `dif sql "select 1"` against that PostgreSQL server is measured too.
 * Usage: npm run bench:cli [-- --reps 9]. The last line printed is one JSON object.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pgliteStartParams } from '../services/loader/warehouse/postgres/pgliteStartParams';
import { median } from './support/median';

const root = resolve(import.meta.dirname, '..');
const dif = join(root, 'bin', 'dif.mjs');
const { values } = parseArgs({ options: { reps: { type: 'string', default: '9' } } });
const reps = Number(values.reps);
const TARGET_RATIO = 3;

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Runs a command to its end; its wall time in ms. A failing command fails the benchmark. */
function timed(command: string, args: string[], options: SpawnSyncOptions = {}): number {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, stdio: ['pipe', 'ignore', 'pipe'], ...options });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited ${result.status}: ${String(result.stderr ?? '').trim()}`);
  }
  return ms;
}

function ensureFreshBundle(): void {
  const check = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { bundleStaleness } from './bin/cliBundle.mjs'; console.log(bundleStaleness() ?? '')",
    ],
    { cwd: root, encoding: 'utf8' },
  );
  const staleness = check.stdout.trim();
  if (!staleness) return;
  console.log(`bench:cli — the bundled CLI ${staleness}; building it (npm run build:cli)`);
  const build = spawnSync(process.execPath, [join(root, 'bin', 'build.mjs'), '--cli'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build:cli failed');
}

/** PGlite alone, in a fresh process, with the warehouse's own settings: the embedded warehouse's share of `dif sql`. */
function warehouseOpenBreakdown(warehouseDir: string): Record<string, number> {
  const script = `
    const t0 = performance.now();
    const { PGlite } = await import('@electric-sql/pglite');
    const t1 = performance.now();
    const db = new PGlite(process.argv[1], { startParams: JSON.parse(process.argv[2]) });
    await db.waitReady;
    const t2 = performance.now();
    await db.query('select 1');
    const t3 = performance.now();
    await db.close();
    const t4 = performance.now();
    console.log(JSON.stringify({ import_ms: t1 - t0, open_ms: t2 - t1, query_ms: t3 - t2, close_ms: t4 - t3 }));`;
  const runs = Array.from({ length: 3 }, () => {
    const result = spawnSync(
      process.execPath,
      ['--liftoff-only', '--input-type=module', '-e', script, warehouseDir, JSON.stringify(pgliteStartParams())],
      { cwd: root, encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`PGlite open failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, number>;
  });
  return Object.fromEntries(Object.keys(runs[0]!).map((key) => [key, round(median(runs.map((run) => run[key]!)), 0)]));
}

ensureFreshBundle();
const dataDir = mkdtempSync(join(tmpdir(), 'dif-bench-cli-'));
const env = { ...process.env, DIF_HOME: dataDir, DATABASE_URL: '' };
try {
  console.log(
    `bench:cli — load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores; ${reps} interleaved repetitions; node ${process.version}; data in ${dataDir}`,
  );
  // A data directory as a user has it: one stored credential and an initialised warehouse.
  const put = spawnSync(process.execPath, [dif, 'credentials', 'put', '--client', 'acme', '--source', 'demo_ads'], {
    cwd: root,
    env,
    input: '{"access_token":"bench-token"}',
  });
  if (put.status !== 0) throw new Error(`credentials put failed: ${String(put.stderr)}`);
  const initMs = timed(process.execPath, [dif, 'sql', 'select 1'], { env });
  console.log(`first \`dif sql\` (creates the warehouse): ${(initMs / 1000).toFixed(1)} s — not part of the ratios`);

  const commands: Record<string, { args: string[]; env?: NodeJS.ProcessEnv }> = {
    node: { args: ['-e', '0'] },
    help: { args: [dif, '--help'] },
    credentials_list: { args: [dif, 'credentials', 'list'] },
    sql: { args: [dif, 'sql', 'select 1'] },
  };
  if (process.env.DATABASE_URL) {
    commands.sql_postgres = { args: [dif, 'sql', 'select 1'], env: { ...env, DATABASE_URL: process.env.DATABASE_URL } };
  }
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let rep = 1; rep <= reps; rep++) {
    for (const [name, command] of Object.entries(commands)) {
      samples[name]!.push(timed(process.execPath, command.args, { env: command.env ?? env }));
    }
    console.log(
      `rep ${rep}/${reps}: ${Object.entries(samples)
        .map(([name, ms]) => `${name} ${ms.at(-1)!.toFixed(0)} ms`)
        .join(', ')}`,
    );
  }
  const sourceHelp = Array.from({ length: 3 }, () =>
    timed(process.execPath, [dif, '--help'], { env: { ...env, DIF_FROM_SOURCE: '1' } }),
  );
  console.log(`\`dif --help\` from source through tsx: ${sourceHelp.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  const breakdown = warehouseOpenBreakdown(join(dataDir, 'warehouse'));
  console.log(`PGlite alone in a fresh process: ${JSON.stringify(breakdown)}`);

  const nodeMs = median(samples.node!);
  const figures: Record<string, number | boolean> = {
    load_average: round(loadavg()[0]!, 2),
    reps,
    node_ms: round(nodeMs, 0),
  };
  for (const name of Object.keys(commands).filter((name) => name !== 'node')) {
    figures[`${name}_ms`] = round(median(samples[name]!), 0);
    figures[`${name}_ratio`] = round(median(samples[name]!) / nodeMs);
  }
  figures.source_help_ms = round(median(sourceHelp), 0);
  figures.source_help_ratio = round(median(sourceHelp) / nodeMs);
  figures.warehouse_first_open_ms = round(initMs, 0);
  for (const [key, ms] of Object.entries(breakdown)) figures[`pglite_${key}`] = ms;
  figures.target_ratio = TARGET_RATIO;
  figures.help_ok = (figures.help_ratio as number) <= TARGET_RATIO;
  figures.credentials_list_ok = (figures.credentials_list_ratio as number) <= TARGET_RATIO;
  figures.sql_ok = (figures.sql_ratio as number) <= TARGET_RATIO;
  console.log(JSON.stringify(figures));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
