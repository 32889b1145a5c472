import type { DemoReply } from './routes';
import { json } from './routes';

/** Limits the demo API enforces when started with them (off by default). */
export interface DemoApiLimitOptions {
  /** At most this many requests are served in any window of `perMs`. */
  requests: number;
  /** The sliding window, in milliseconds (default 1000). */
  perMs?: number;
  /** At most this many requests are being answered at once. */
  concurrency?: number;
  /** Each served request takes this long before its answer starts (the platform's processing time). */
  latencyMs?: number;
}

/** What the limits did, for a benchmark or a test to report. */
export interface DemoApiLimitTally {
  served: number;
  /** Refused with 429 because `requests` were already served in the window. */
  refusedForRate: number;
  /** Refused with 429 because `concurrency` requests were being answered. */
  refusedForConcurrency: number;
  /** Most requests being answered at once. */
  maxInFlight: number;
  /** Arrival of the first and the last served request (performance.now() milliseconds). */
  firstServedAt?: number;
  lastServedAt?: number;
}

/**
 * The rate and concurrency limits of a strict platform: a request is counted when it arrives; it
 * is refused (429, Retry-After 1, not counted) when `requests` served requests arrived in the
 * `perMs` before it (a sliding window, the strictest reading of "N per second"), or when
 * `concurrency` requests are still being answered. A served request holds its concurrency slot
 * until its answer has been written.
 *
 * @example
 * const limits = new DemoApiLimits({ requests: 20, concurrency: 4, latencyMs: 50 });
 * const refusal = limits.admit(); // undefined: serve it, then call the returned release
 */
export class DemoApiLimits {
  readonly tally: DemoApiLimitTally = { served: 0, refusedForRate: 0, refusedForConcurrency: 0, maxInFlight: 0 };
  /** Arrival times of the served requests still inside the window, oldest first. */
  private readonly arrivals: number[] = [];
  private inFlight = 0;
  private readonly perMs: number;

  constructor(readonly options: DemoApiLimitOptions) {
    if (!Number.isInteger(options.requests) || options.requests < 1)
      throw new RangeError(`demo API limits: requests must be a whole number ≥ 1, got ${options.requests}`);
    if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1))
      throw new RangeError(`demo API limits: concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
    this.perMs = options.perMs ?? 1000;
  }

  /** A refusal to answer, or undefined when the request is served (then call {@link release} once answered). */
  admit(now = performance.now()): DemoReply | undefined {
    while (this.arrivals.length > 0 && this.arrivals[0]! <= now - this.perMs) this.arrivals.shift();
    if (this.arrivals.length >= this.options.requests) {
      this.tally.refusedForRate += 1;
      return refusal(`more than ${this.options.requests} requests in ${this.perMs} ms`);
    }
    if (this.options.concurrency !== undefined && this.inFlight >= this.options.concurrency) {
      this.tally.refusedForConcurrency += 1;
      return refusal(`more than ${this.options.concurrency} requests at once`);
    }
    this.arrivals.push(now);
    this.inFlight += 1;
    this.tally.served += 1;
    this.tally.maxInFlight = Math.max(this.tally.maxInFlight, this.inFlight);
    this.tally.firstServedAt ??= now;
    this.tally.lastServedAt = now;
    return undefined;
  }

  /** The platform's processing time of a served request. */
  async process(): Promise<void> {
    const ms = this.options.latencyMs ?? 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** A served request's answer has been written: its concurrency slot is free. */
  release(): void {
    this.inFlight -= 1;
  }
}

function refusal(message: string): DemoReply {
  return json({ error: { code: 4, message: `rate limit exceeded: ${message}` } }, 429, { 'retry-after': '1' });
}
