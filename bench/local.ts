/**
 * `npm start` as a user runs it (the whole demo: plan, extract from the demo API, transform, load
 * into the embedded warehouse): wall time of the first run on a new data directory and of later
 * runs, and peak resident memory of the whole process tree (npm and everything it starts), sampled
 * from /proc. A breakdown says what the dif process's memory was made of at its peak (V8 heap,
 * WebAssembly and buffers) and what PGlite costs alone. With DATABASE_URL set, later runs are also
 * measured against that PostgreSQL server (in a database of their own, dropped afterwards), the
 * lighter path.
 * Usage: npm run bench:local [-- --runs 3]. The last line printed is one JSON object.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pgliteStartParams } from '../services/loader/warehouse/postgres/pgliteStartParams';
import { median } from './support/median';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const laterRuns = Number(values.runs);
const TARGETS = { later_run_s: 5, peak_rss_mb: 300 };
const SAMPLE_MS = 50;

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** Every process's parent and resident memory (kB), from /proc. */
function processTable(): Map<number, { ppid: number; rssKb: number; name: string }> {
  const table = new Map<number, { ppid: number; rssKb: number; name: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const field = (name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '';
      table.set(Number(entry), {
        ppid: Number(field('PPid')),
        rssKb: Number.parseInt(field('VmRSS') || '0', 10),
        name: field('Name'),
      });
    } catch {
      // The process ended between readdir and read.
    }
  }
  return table;
}

/** Resident memory of `pid` and all its descendants, in kB, and how many processes that was. */
function treeRss(pid: number): { kb: number; processes: number } {
  const table = processTable();
  const members = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, { ppid }] of table) {
      if (members.has(ppid) && !members.has(child)) {
        members.add(child);
        grew = true;
      }
    }
  }
  let kb = 0;
  for (const member of members) kb += table.get(member)?.rssKb ?? 0;
  return { kb, processes: members.size };
}

interface RunFigures {
  seconds: number;
  peakRssMb: number;
  processes: number;
  probes: ProbeReport[];
}

interface ProbeReport {
  argv: string;
  vm_hwm_mb: number;
  cpu_s: number;
  at_peak_mb: Record<string, number>;
  at_exit_mb: Record<string, number>;
}

/** One `npm start` to its end, sampling the tree's resident memory every SAMPLE_MS. */
async function npmStart(env: NodeJS.ProcessEnv): Promise<RunFigures> {
  const probeDir = mkdtempSync(join(tmpdir(), 'dif-bench-probe-'));
  const probe = join(root, 'bench', 'support', 'memoryProbe.mjs');
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { ...env, DIF_MEMORY_PROBE_DIR: probeDir, NODE_OPTIONS: `--import ${probe}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let peakKb = 0;
  let processes = 0;
  const sampler = setInterval(() => {
    const tree = treeRss(child.pid!);
    if (tree.kb > peakKb) [peakKb, processes] = [tree.kb, tree.processes];
  }, SAMPLE_MS);
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`npm start exited ${code}:\n${output}`);
  const probes = readdirSync(probeDir).map(
    (file) => JSON.parse(readFileSync(join(probeDir, file), 'utf8')) as ProbeReport,
  );
  rmSync(probeDir, { recursive: true, force: true });
  return { seconds, peakRssMb: peakKb / 1024, processes, probes };
}

/** PGlite alone in a fresh process, with the warehouse's settings: its own peak resident memory. */
function pgliteAlone(warehouseDir: string): { vm_hwm_mb: number; seconds: number } {
  const script = `
    const started = performance.now();
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(process.argv[1], { startParams: JSON.parse(process.argv[2]) });
    await db.query('select 1');
    await db.close();
    const hwm = /^VmHWM:\\s+(\\d+)/m.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'))[1];
    console.log(JSON.stringify({ vm_hwm_mb: Math.round(hwm / 1024), seconds: (performance.now() - started) / 1000 }));`;
  const result = spawnSync(
    process.execPath,
    ['--liftoff-only', '--input-type=module', '-e', script, warehouseDir, JSON.stringify(pgliteStartParams())],
    { cwd: root, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`PGlite alone failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { vm_hwm_mb: number; seconds: number };
}

const describe = (label: string, run: RunFigures) =>
  console.log(
    `${label}: ${run.seconds.toFixed(1)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB over ${run.processes} process(es); ` +
      run.probes
        .map((probe) => `[${probe.argv.slice(0, 60)}] hwm ${probe.vm_hwm_mb} MB, cpu ${probe.cpu_s} s`)
        .join(' '),
  );

/** The dif process's report (the one that ran the pipeline), not npm's. */
const difProbe = (run: RunFigures) =>
  run.probes.filter((probe) => probe.argv.includes('dif.mjs')).sort((a, b) => b.vm_hwm_mb - a.vm_hwm_mb)[0];

async function laterRunsOnPostgres(databaseUrl: string, env: NodeJS.ProcessEnv): Promise<RunFigures[]> {
  const database = `dif_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  try {
    const url = new URL(databaseUrl);
    url.pathname = `/${database}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'dif-bench-local-pg-'));
    try {
      const runEnv = { ...env, DIF_HOME: dataDir, DATABASE_URL: url.toString() };
      describe('postgres first run', await npmStart(runEnv));
      const runs: RunFigures[] = [];
      for (let run = 1; run <= laterRuns; run++) {
        runs.push(await npmStart(runEnv));
        describe(`postgres later run ${run}/${laterRuns}`, runs.at(-1)!);
      }
      return runs;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

const bundle = spawnSync(process.execPath, [join(root, 'bin', 'build.mjs'), '--cli'], { cwd: root, encoding: 'utf8' });
if (bundle.status !== 0) throw new Error(`npm run build:cli failed: ${bundle.stderr}`);
const dataDir = mkdtempSync(join(tmpdir(), 'dif-bench-local-'));
const env = { ...process.env, DIF_HOME: dataDir, DATABASE_URL: '', REDIS_URL: '' };
try {
  const loadBefore = loadavg()[0]!;
  console.log(
    `bench:local — load average ${loadBefore.toFixed(2)} on ${availableParallelism()} cores; node ${process.version}; npm start with DIF_HOME=${dataDir}`,
  );
  const first = await npmStart(env);
  describe('first run (creates the data directory)', first);
  const later: RunFigures[] = [];
  for (let run = 1; run <= laterRuns; run++) {
    later.push(await npmStart(env));
    describe(`later run ${run}/${laterRuns}`, later.at(-1)!);
  }
  const alone = pgliteAlone(join(dataDir, 'warehouse'));
  console.log(`PGlite alone (open, select 1, close): peak ${alone.vm_hwm_mb} MB, ${alone.seconds.toFixed(1)} s`);
  const nodeAlone = spawnSync(
    process.execPath,
    ['-e', "console.log(/^VmHWM:\\s+(\\d+)/m.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])"],
    { encoding: 'utf8' },
  );
  const postgres = process.env.DATABASE_URL ? await laterRunsOnPostgres(process.env.DATABASE_URL, env) : undefined;

  const laterPeak = Math.max(...later.map((run) => run.peakRssMb));
  const peakDif = difProbe(later.reduce((a, b) => (a.peakRssMb >= b.peakRssMb ? a : b)));
  const figures: Record<string, number | boolean | undefined> = {
    load_average: round(loadavg()[0]!, 2),
    load_average_at_start: round(loadBefore, 2),
    first_run_s: round(first.seconds),
    later_run_s: round(median(later.map((run) => run.seconds))),
    later_runs: laterRuns,
    // CPU seconds of every process of a later run (median): what the wall time is made of on an idle machine.
    later_run_cpu_s: round(median(later.map((run) => run.probes.reduce((sum, probe) => sum + probe.cpu_s, 0))), 2),
    first_run_peak_rss_mb: round(first.peakRssMb, 0),
    peak_rss_mb: round(laterPeak, 0),
    dif_process_peak_mb: peakDif?.vm_hwm_mb,
    dif_v8_heap_total_mb: peakDif?.at_peak_mb.v8_heap_total,
    dif_external_mb: peakDif?.at_peak_mb.external,
    dif_array_buffers_mb: peakDif?.at_peak_mb.array_buffers,
    npm_process_peak_mb: later[0]?.probes.find((probe) => !probe.argv.includes('dif.mjs'))?.vm_hwm_mb,
    pglite_alone_peak_mb: alone.vm_hwm_mb,
    node_alone_peak_mb: Math.round(Number(nodeAlone.stdout.trim()) / 1024),
    postgres_later_run_s: postgres ? round(median(postgres.map((run) => run.seconds))) : undefined,
    postgres_peak_rss_mb: postgres ? round(Math.max(...postgres.map((run) => run.peakRssMb)), 0) : undefined,
    target_later_run_s: TARGETS.later_run_s,
    target_peak_rss_mb: TARGETS.peak_rss_mb,
  };
  figures.later_run_ok = (figures.later_run_s as number) <= TARGETS.later_run_s;
  figures.peak_rss_ok = Math.max(first.peakRssMb, laterPeak) <= TARGETS.peak_rss_mb;
  console.log(JSON.stringify(figures));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
