/**
 * Scale past one execution (issue 17): runs of many work items through the Distributed Map on the
 * local runtime, each part in a process of its own so peak RSS is that part's alone.
 * - `pipeline`: a demo client with 10,000 items (100 accounts × 100 days, the demo API's scale
 *   route): every item a real request, transform and load.
 * - `orchestration`: 100,000 items planned; Plan, the Map Run and Finalize run for real, the
 *   extraction is a zero-latency handler (this bench only) that marks the item loaded and
 *   completes its token, so what is timed is the orchestration and its bookkeeping.
 * - `transform`: a 2 GiB JSON-lines raw object transformed as byte ranges on 1 and 2 worker threads.
 * Reported per part: wall time, orchestration overhead per item, peak RSS, largest state payload,
 * history events of the parent execution (as the local runtime counts them), and the load average.
 * Usage: npm run bench:scale [-- --items 10000 --planned 100000 --gib 2 --parts pipeline,orchestration,transform]
 * Progress goes to stderr; the last line printed is one JSON object.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    part: { type: 'string' },
    items: { type: 'string', default: '10000' },
    planned: { type: 'string', default: '100000' },
    gib: { type: 'string', default: '2' },
    parts: { type: 'string', default: 'pipeline,orchestration,transform' },
    dir: { type: 'string' },
  },
});
const TARGETS = {
  largest_state_payload_bytes: 32 * 1024,
  overhead_ms_per_item: 5,
  peak_rss_mb_at_10k: 400,
  speedup_2_threads: 1.7,
};

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const load = () => loadavg().map((value) => round(value, 2));
const progress = (text: string) => process.stderr.write(`bench:scale ${text}\n`);

/** Runs one part in a child process; its last stdout line is its JSON result. */
function runPart(part: string, extra: string[], dir: string): Promise<Record<string, unknown>> {
  return new Promise((resolvePart, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/scale.ts'), '--part', part, '--dir', dir, ...extra],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`part ${part} exited with ${code}: ${last}`));
      else resolvePart(JSON.parse(last) as Record<string, unknown>);
    });
  });
}

async function main(): Promise<void> {
  if (values.part) {
    const { runScalePart } = await import('./support/scaleParts');
    const result = await runScalePart(values.part, {
      dir: values.dir!,
      items: Number(values.items),
      planned: Number(values.planned),
      gib: Number(values.gib),
      progress,
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dif-bench-scale-'));
  const results: Record<string, unknown> = {};
  progress(`${availableParallelism()} cores, load average ${load().join(' ')}; data in ${dir}`);
  try {
    for (const part of values.parts.split(',')) {
      const before = load();
      progress(`part ${part}…`);
      const result = await runPart(
        part,
        ['--items', values.items, '--planned', values.planned, '--gib', values.gib],
        join(dir, part),
      );
      results[part] = { ...result, load_average_before: before, load_average_after: load() };
      progress(`part ${part}: ${JSON.stringify(results[part])}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      bench: 'scale',
      cores: availableParallelism(),
      node: process.version,
      targets: TARGETS,
      ...results,
    }),
  );
}

await main();
