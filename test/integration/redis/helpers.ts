import type { LimitPolicy, RateLimiter } from '../../../shared/ports';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A unique key prefix per test, so tests sharing one redis-server never see each other's keys. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${Math.random().toString(36).slice(2, 8)}:`;
}

/** Local times a request was admitted (`start`) and released (`end`), and which worker ran it. */
export interface Admission {
  worker: number;
  start: number;
  end: number;
}

/**
 * Runs `loops` request loops on each limiter until `durationMs` has passed; every request holds
 * its permit for `holdMs`. Returns each admission and the most permits held at once.
 */
export async function hammer(
  limiters: RateLimiter[],
  policy: LimitPolicy,
  options: { loops: number; durationMs: number; holdMs: number },
) {
  const admissions: Admission[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const stopAt = Date.now() + options.durationMs;
  const loop = async (worker: number, limiter: RateLimiter): Promise<void> => {
    while (Date.now() < stopAt) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), Math.max(1, stopAt - Date.now()));
      let permit;
      try {
        permit = await limiter.acquire(policy, controller.signal);
      } catch (error) {
        if ((error as Error).name === 'AbortError') return;
        throw error;
      } finally {
        clearTimeout(timer);
      }
      const start = Date.now();
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (options.holdMs > 0) await sleep(options.holdMs);
      inFlight -= 1;
      admissions.push({ worker, start, end: Date.now() });
      await permit.release();
    }
  };
  await Promise.all(
    limiters.flatMap((limiter, worker) => Array.from({ length: options.loops }, () => loop(worker, limiter))),
  );
  return { admissions, maxInFlight };
}

/** The most admissions that started within any window of `perMs` (a sliding window over starts). */
export function maxInAnyWindow(admissions: Admission[], perMs: number): number {
  const starts = admissions.map((a) => a.start).sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < starts.length; to += 1) {
    while (starts[to]! - starts[from]! >= perMs) from += 1;
    best = Math.max(best, to - from + 1);
  }
  return best;
}
