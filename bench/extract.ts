/**
 * Extraction against known limits (issue 20.4): the demo API is started enforcing R requests in
 * any sliding 1 s window and C requests at once (429 when exceeded, counted), with L ms of
 * processing per request and report jobs that are done J s after creation. A client whose source
 * declares the same `rate_limit` runs through the whole local pipeline (the deployed state
 * machine, Distributed Map, queues, transformer, loader into the embedded warehouse): a
 * cursor-paged stream (P pages per item) and an async report stream (M jobs).
 *
 * The lower bound, for any client, from the API's limits alone (Q = the requests the data needs:
 * every page, and per job one create, one status that says DONE and one download):
 * - rate: request k+R can arrive only ≥ 1 s after request k, so the last of Q arrives
 *   ≥ floor((Q−1)/R) s after the first, and its answer takes L more: floor((Q−1)/R) + L.
 * - concurrency: each request holds one of C slots for L: ceil(Q/C) × L.
 * - job time that cannot overlap: no status can say DONE before J after the first create arrived,
 *   so the 2M DONE statuses and downloads all arrive after J, and take ≥ floor((2M−1)/R) s among
 *   themselves, plus L for the last answer: J + floor((2M−1)/R) + L. One job's own chain is
 *   create, wait, status, download: max(L, J) + 2L.
 * The bound is the largest of these (the job time overlaps the paged requests when they are many
 * enough, and is added only where it cannot). Wall time is the run's, from Plan's start to the end
 * of Finalize (opening the data directory and the warehouse, and building the state machine,
 * excluded); the Distributed Map runs 40 items at once (DIF_MAP_CONCURRENCY, default here the
 * deployed default, not the local 8); target wall ÷ bound ≤ 1.15
 * with 0 requests refused for rate. Status polls beyond one per job are the client's own cost and
 * counted apart (they use rate budget the bound does not grant them).
 *
 * Usage: npm run bench:extract [-- --rps 20 --concurrency 4 --latency-ms 100 --accounts 4
 *   --paged-days 5 --pages 20 --report-days 10 --job-s 5 --poll-wait-s 5 --first-wait-s 5 --runs 1]
 * Progress goes to stderr; the last line printed is one JSON object.
 */
import '../shared/runtime/polyfills';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pacedRequests, writePacedConfig, type PacedConfigOptions } from '../demo/pacedConfig';

const { values } = parseArgs({
  options: {
    rps: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    'latency-ms': { type: 'string', default: '100' },
    accounts: { type: 'string', default: '4' },
    'paged-days': { type: 'string', default: '5' },
    pages: { type: 'string', default: '20' },
    'report-days': { type: 'string', default: '10' },
    'job-s': { type: 'string', default: '5' },
    'poll-wait-s': { type: 'string', default: '5' },
    // The source says its reports take about this long (async_job.poll.first_wait); default: --job-s.
    'first-wait-s': { type: 'string' },
    runs: { type: 'string', default: '1' },
  },
});
const TARGETS = { wall_over_bound: 1.15, refused_for_rate: 0 };

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const load = () => loadavg().map((value) => round(value));
const progress = (text: string) => process.stderr.write(`bench:extract ${text}\n`);

/** The lower bound of the header comment, in seconds, with each of its terms. */
export function lowerBound(
  limits: { rps: number; concurrency: number; latencyMs: number; jobMs: number },
  jobs: number,
  requests: number,
) {
  const latency = limits.latencyMs / 1000;
  const job = limits.jobMs / 1000;
  const terms = {
    rate_s: Math.floor((requests - 1) / limits.rps) + latency,
    concurrency_s: Math.ceil(requests / limits.concurrency) * latency,
    jobs_after_first_done_s: jobs > 0 ? job + Math.floor((2 * jobs - 1) / limits.rps) + latency : 0,
    one_job_chain_s: jobs > 0 ? Math.max(latency, job) + 2 * latency : 0,
  };
  return { bound_s: Math.max(...Object.values(terms)), terms };
}

/** Which kind of request a demo API path is (for the breakdown). */
function kindOf(method: string, path: string): 'page' | 'create' | 'poll' | 'download' | 'other' {
  if (/\/daily$/.test(path)) return 'page';
  if (method === 'POST' && /\/reports$/.test(path)) return 'create';
  if (/\/reports\/[\w-]+\/rows$/.test(path)) return 'download';
  if (/\/reports\/[\w-]+$/.test(path)) return 'poll';
  return 'other';
}

async function runOnce(config: PacedConfigOptions, latencyMs: number, jobMs: number): Promise<Record<string, unknown>> {
  const { startDemoApi } = await import('../demo');
  const { LocalRuntime } = await import('../profiles/local/LocalRuntime');
  const dir = mkdtempSync(join(tmpdir(), 'dif-bench-extract-'));
  writePacedConfig(join(dir, 'config'), config);
  const api = await startDemoApi({
    limits: { requests: config.requestsPerSecond, perMs: 1000, concurrency: config.concurrency, latencyMs },
    reportJobMs: jobMs,
  });
  process.env.DIF_DEMO_API_URL = api.url;
  const timings: Record<string, number> = {};
  let planStarted: number | undefined;
  const runtime = await LocalRuntime.open({
    configDir: join(dir, 'config'),
    dataDir: join(dir, 'data'),
    databaseUrl: process.env.DATABASE_URL || undefined,
    decorate: {
      // Plan's and Finalize's own time, apart from the Map's.
      task: (state, handler) => async (ctx, input) => {
        const begun = performance.now();
        if (state === 'plan') planStarted ??= begun;
        try {
          return await handler(ctx, input);
        } finally {
          timings[state] = (timings[state] ?? 0) + performance.now() - begun;
        }
      },
    },
  });
  try {
    await runtime.credentials.put('paced', 'paced_demo', { token: 'none' });
    const loadBefore = load();
    const cpuBefore = process.cpuUsage();
    const ticker = setInterval(() => {
      const tally = api.limits!.tally;
      progress(`  ${tally.served} served, ${tally.refusedForRate + tally.refusedForConcurrency} refused`);
    }, 5_000);
    const started = performance.now();
    const outcome = await runtime.run({ client: 'paced' }).finally(() => clearInterval(ticker));
    const ended = performance.now();
    // From Plan's start: the state machine is built (and its definition validated, which the
    // bundled `dif` skips: validated at build) before that, in no part of the run a user waits for.
    const wallMs = ended - (planStarted ?? started);
    const cpu = process.cpuUsage(cpuBefore);
    const tally = api.limits!.tally;
    const byKind: Record<string, number> = {};
    for (const request of api.requests) {
      const kind = kindOf(request.method, request.path);
      byKind[kind] = (byKind[kind] ?? 0) + 1;
    }
    const needed = pacedRequests(config);
    const { bound_s, terms } = lowerBound(
      { rps: config.requestsPerSecond, concurrency: config.concurrency, latencyMs, jobMs },
      needed.jobs,
      needed.minimum,
    );
    const wall = wallMs / 1000;
    return {
      status: outcome.result.status,
      ...(outcome.result.status === 'failed' ? { cause: outcome.result.cause.slice(0, 500) } : {}),
      wall_s: round(wall),
      run_call_s: round((ended - started) / 1000),
      bound_s: round(bound_s),
      wall_over_bound: round(wall / bound_s, 3),
      bound_terms: Object.fromEntries(Object.entries(terms).map(([name, value]) => [name, round(value)])),
      requests_needed: needed.minimum,
      requests_made: api.requests.length,
      requests_by_kind: byKind,
      polls_while_running: api.state.pacedJobs.pollsWhileRunning,
      refused_for_rate: tally.refusedForRate,
      refused_for_concurrency: tally.refusedForConcurrency,
      max_in_flight: tally.maxInFlight,
      // First to last served arrival: how long the API was in use; before and after it, Plan, the
      // Map's start, the last item's transform and load, and Finalize.
      api_span_s: round(((tally.lastServedAt ?? 0) - (tally.firstServedAt ?? 0)) / 1000),
      first_request_after_s: round(((tally.firstServedAt ?? ended) - (planStarted ?? started)) / 1000),
      after_last_request_s: round((ended - (tally.lastServedAt ?? ended)) / 1000),
      plan_s: round((timings.plan ?? 0) / 1000),
      finalize_s: round((timings.finalize ?? 0) / 1000),
      achieved_rps: round(tally.served / (wall || 1), 1),
      cpu_s: round((cpu.user + cpu.system) / 1e6),
      load_average_before: loadBefore,
      load_average_after: load(),
    };
  } finally {
    await runtime.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  // The deployed default (serverless.yml mapConcurrency). With the local default (8) the 40 report
  // items, each holding its Map slot while its job runs, leave the rate budget mostly unused.
  process.env.DIF_MAP_CONCURRENCY ??= '40';
  const config: PacedConfigOptions = {
    accounts: Number(values.accounts),
    pagedDays: Number(values['paged-days']),
    pages: Number(values.pages),
    reportDays: Number(values['report-days']),
    requestsPerSecond: Number(values.rps),
    concurrency: Number(values.concurrency),
    pollWaitSeconds: Number(values['poll-wait-s']),
    firstWaitSeconds: Number(values['first-wait-s'] ?? values['job-s']),
  };
  const latencyMs = Number(values['latency-ms']);
  const jobMs = Number(values['job-s']) * 1000;
  progress(
    `${availableParallelism()} cores, load average ${load().join(' ')}; limits ${config.requestsPerSecond} req/s, ${config.concurrency} at once, ${latencyMs} ms each, jobs ${jobMs / 1000} s; ${JSON.stringify(pacedRequests(config))}`,
  );
  const runs: Record<string, unknown>[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    const result = await runOnce(config, latencyMs, jobMs);
    progress(`run ${run}: ${JSON.stringify(result)}`);
    runs.push(result);
  }
  const ratios = runs.map((run) => run.wall_over_bound as number).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      bench: 'extract',
      cores: availableParallelism(),
      node: process.version,
      map_concurrency: Number(process.env.DIF_MAP_CONCURRENCY),
      limits: {
        requests_per_second: config.requestsPerSecond,
        concurrency: config.concurrency,
        latency_ms: latencyMs,
        job_s: jobMs / 1000,
      },
      workload: {
        ...pacedRequests(config),
        pages_per_item: config.pages,
        poll_wait_s: config.pollWaitSeconds,
        first_wait_s: config.firstWaitSeconds,
      },
      targets: TARGETS,
      wall_over_bound: ratios[ratios.length >> 1],
      refused_for_rate: runs.reduce((sum, run) => sum + (run.refused_for_rate as number), 0),
      runs,
    }),
  );
}

await main();
