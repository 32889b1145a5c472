/**
 * Benchmark: W worker processes share one rate budget (R requests/s, at most C in flight) through
 * RedisRateLimiter against a local HTTP server that counts what it receives. Then the baseline:
 * the same processes with only in-process limiters, each given the full budget.
 *
 *   npm run bench:ratelimit -- --workers 8 --rps 20 --concurrency 4 --seconds 15 --baseline-seconds 5
 *
 * Over-limit requests are counted at the server: a request is over the limit when more than R
 * requests (itself included) arrived in the 1000 ms window ending with it.
 * Last line of output: one JSON object with the figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer, Agent, request, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FallbackRateLimiter, RedisRateLimiter } from '../shared/adapters/redis';
import type { LimitPolicy, RateLimiter } from '../shared/ports';
import { startRedisServer } from '../test/support/redisServer';

interface WorkerConfig {
  mode: 'redis' | 'in-process';
  redisUrl: string;
  keyPrefix: string;
  target: string;
  rps: number;
  concurrency: number;
  loops: number;
}

type ToWorker = { type: 'start'; startAt: number; endAt: number };
type FromWorker = { type: 'ready' } | { type: 'done'; requests: number; errors: number };

const WINDOW_MS = 1000;

// ---------------------------------------------------------------- worker process

async function runWorker(config: WorkerConfig): Promise<void> {
  const policy: LimitPolicy = {
    scope: 'bench-api',
    limits: [{ requests: config.rps, perMs: WINDOW_MS }],
    concurrency: config.concurrency,
    leaseMs: 10_000,
  };
  const limiter: RateLimiter =
    config.mode === 'redis'
      ? new RedisRateLimiter({ url: config.redisUrl, keyPrefix: config.keyPrefix })
      : new FallbackRateLimiter();
  const agent = new Agent({ keepAlive: true, maxSockets: config.loops });
  if (limiter instanceof RedisRateLimiter) {
    // Warm the connection and the script cache so the first second is not spent connecting.
    await (await limiter.acquire({ scope: `warm-${process.pid}`, limits: [{ requests: 1, perMs: 1 }] })).release();
  }
  send({ type: 'ready' });
  const { startAt, endAt } = await new Promise<ToWorker>((resolve) =>
    process.once('message', (m: ToWorker) => resolve(m)),
  );
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
  let requests = 0;
  let errors = 0;
  const loop = async (): Promise<void> => {
    while (Date.now() < endAt) {
      let permit;
      try {
        permit = await limiter.acquire(policy, AbortSignal.timeout(Math.max(1, endAt - Date.now())));
      } catch {
        return; // the run ended while waiting
      }
      try {
        await get(agent, config.target);
        requests += 1;
      } catch {
        errors += 1;
      } finally {
        await permit.release();
      }
    }
  };
  await Promise.all(Array.from({ length: config.loops }, loop));
  send({ type: 'done', requests, errors });
  agent.destroy();
  await limiter.close();
}

function send(message: FromWorker): void {
  process.send?.(message);
}

async function get(agent: Agent, url: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------- counting server

interface Counts {
  arrivals: number[];
  maxConcurrency: number;
}

async function startCountingServer(latencyMs: number): Promise<{ server: Server; url: string; counts: Counts }> {
  const counts: Counts = { arrivals: [], maxConcurrency: 0 };
  let inFlight = 0;
  const server = createServer((req, res) => {
    counts.arrivals.push(performance.timeOrigin + performance.now());
    inFlight += 1;
    counts.maxConcurrency = Math.max(counts.maxConcurrency, inFlight);
    setTimeout(() => {
      inFlight -= 1; // before the response leaves: the client cannot start the next one earlier
      res.end('ok');
    }, latencyMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('server has no address');
  return { server, url: `http://127.0.0.1:${address.port}/`, counts };
}

/** Requests that were the (R+1)-th or later within the 1000 ms window ending with them. */
function overLimit(arrivals: number[], limit: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let over = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to += 1) {
    while (sorted[to]! - sorted[from]! >= WINDOW_MS) from += 1;
    if (to - from + 1 > limit) over += 1;
  }
  return over;
}

// ---------------------------------------------------------------- one phase

interface PhaseResult {
  requests: number;
  errors: number;
  seconds: number;
  achievedRps: number;
  /** Rate after the opening burst: requests from the 3rd second on, per second. */
  steadyRps: number;
  overLimit: number;
  maxConcurrency: number;
}

async function runPhase(options: {
  mode: WorkerConfig['mode'];
  workers: number;
  seconds: number;
  base: Omit<WorkerConfig, 'mode' | 'target'>;
  latencyMs: number;
}): Promise<PhaseResult> {
  const { server, url, counts } = await startCountingServer(options.latencyMs);
  const config: WorkerConfig = { ...options.base, mode: options.mode, target: url };
  const script = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = [];
  try {
    const ready: Promise<void>[] = [];
    const done: Promise<{ requests: number; errors: number }>[] = [];
    for (let i = 0; i < options.workers; i += 1) {
      const child = fork(script, ['--worker', JSON.stringify(config)], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      ready.push(
        new Promise((resolve, reject) => {
          child.on('message', (m: FromWorker) => m.type === 'ready' && resolve());
          child.once('exit', (code) => reject(new Error(`worker ${i} exited with ${code} before it was ready`)));
        }),
      );
      done.push(
        new Promise((resolve, reject) => {
          child.on('message', (m: FromWorker) => m.type === 'done' && resolve(m));
          child.once('exit', (code) => code !== 0 && reject(new Error(`worker ${i} exited with ${code}`)));
        }),
      );
    }
    await Promise.all(ready);
    const startAt = Date.now() + 300;
    const endAt = startAt + options.seconds * 1000;
    for (const child of children) child.send({ type: 'start', startAt, endAt } satisfies ToWorker);
    const results = await Promise.all(done);
    const inRun = counts.arrivals.filter((t) => t >= startAt && t < endAt);
    return {
      requests: inRun.length,
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      seconds: options.seconds,
      achievedRps: inRun.length / options.seconds,
      steadyRps: inRun.filter((t) => t >= startAt + 2000).length / Math.max(1, options.seconds - 2),
      overLimit: overLimit(counts.arrivals, options.base.rps),
      maxConcurrency: counts.maxConcurrency,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await new Promise((resolve) => server.close(resolve));
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '8' },
      rps: { type: 'string', default: '20' },
      concurrency: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '15' },
      'baseline-seconds': { type: 'string', default: '5' },
      'latency-ms': { type: 'string', default: '10' },
      loops: { type: 'string', default: '4' },
    },
  });
  const workers = Number(values.workers);
  const rps = Number(values.rps);
  const concurrency = Number(values.concurrency);
  const latencyMs = Number(values['latency-ms']);
  const redis = await startRedisServer();
  try {
    const base = { redisUrl: redis.url, keyPrefix: 'bench:', rps, concurrency, loops: Number(values.loops) };
    console.log(
      `redis-server on ${redis.url}; ${workers} workers share ${rps} rps, concurrency ${concurrency}, server latency ${latencyMs} ms`,
    );
    const shared = await runPhase({ mode: 'redis', workers, seconds: Number(values.seconds), base, latencyMs });
    console.log(
      `shared (Redis): ${shared.requests} requests in ${shared.seconds} s = ${shared.achievedRps.toFixed(2)} rps (${shared.steadyRps.toFixed(2)} after the first 2 s), over limit ${shared.overLimit}, max concurrency ${shared.maxConcurrency}, errors ${shared.errors}`,
    );
    const baseline = await runPhase({
      mode: 'in-process',
      workers,
      seconds: Number(values['baseline-seconds']),
      base,
      latencyMs,
    });
    console.log(
      `baseline (in-process only): ${baseline.requests} requests in ${baseline.seconds} s = ${baseline.achievedRps.toFixed(2)} rps, over limit ${baseline.overLimit}, max concurrency ${baseline.maxConcurrency}`,
    );
    console.log(
      JSON.stringify({
        workers,
        limit_rps: rps,
        achieved_rps: round(shared.achievedRps),
        utilization: round(shared.achievedRps / rps),
        over_limit_requests: shared.overLimit,
        max_concurrency: shared.maxConcurrency,
        concurrency_cap: concurrency,
        steady_state_rps: round(shared.steadyRps),
        duration_s: shared.seconds,
        server_latency_ms: latencyMs,
        baseline_in_process_over_limit: baseline.overLimit,
        baseline_achieved_rps: round(baseline.achievedRps),
        baseline_max_concurrency: baseline.maxConcurrency,
      }),
    );
  } finally {
    await redis.stop();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const workerIndex = process.argv.indexOf('--worker');
if (workerIndex >= 0) {
  await runWorker(JSON.parse(process.argv[workerIndex + 1]!) as WorkerConfig);
} else {
  await main();
}
