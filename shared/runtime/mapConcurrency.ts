import { PermanentError } from './errors';

/** Child executions a run's Distributed Map keeps in flight when `DIF_MAP_CONCURRENCY` is not set. */
export const DEFAULT_MAP_CONCURRENCY = 8;
/** Step Functions runs at most 10,000 child executions of one Map Run at once. */
export const MAX_MAP_CONCURRENCY = 10_000;

/** `DIF_MAP_CONCURRENCY` is not a whole number the Distributed Map accepts. */
export class MapConcurrencyError extends PermanentError {
  constructor(value: string) {
    super(
      'Plan.BadMapConcurrency',
      `DIF_MAP_CONCURRENCY is "${value}"; it must be a whole number from 1 to ${MAX_MAP_CONCURRENCY} (child executions of one run at once). Fix the mapConcurrency deploy parameter (serverless.yml params) or the environment variable`,
    );
    this.name = 'MapConcurrencyError';
  }
}

/**
 * The Distributed Map's MaxConcurrency for this run: `DIF_MAP_CONCURRENCY` (set from the
 * `mapConcurrency` deploy parameter, or by hand locally), else {@link DEFAULT_MAP_CONCURRENCY}.
 * Sizing it against rate limits and queue concurrency: docs/deploying.md#sizing-concurrency.
 *
 * @example
 * process.env.DIF_MAP_CONCURRENCY = '40';
 * mapConcurrency(); // 40
 */
export function mapConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.DIF_MAP_CONCURRENCY?.trim();
  if (!text) return DEFAULT_MAP_CONCURRENCY;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_MAP_CONCURRENCY) throw new MapConcurrencyError(text);
  return value;
}
