import { DEFAULT_MAP_CONCURRENCY } from './mapConcurrency';

/**
 * How a run fans out, read once by the profile that opens the context (the aws profile from
 * `DIF_MAP_CONCURRENCY` and `DIF_ECS_SUBNETS`, the local one from `DIF_MAP_CONCURRENCY`), so Plan
 * reads no environment variable itself.
 */
export interface RunSettings {
  /** The Distributed Map's MaxConcurrency: child executions of one run at once. */
  mapConcurrency: number;
  /** Subnets of the Fargate extractor (`runtime: ecs`); empty where there is no ECS. */
  ecsSubnets: readonly string[];
}

/** What a context without settings (a test's, a bench's) plans with. */
export const DEFAULT_RUN_SETTINGS: RunSettings = { mapConcurrency: DEFAULT_MAP_CONCURRENCY, ecsSubnets: [] };
