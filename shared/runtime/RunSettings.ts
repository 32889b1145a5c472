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
  /**
   * Where the pieces of an item over `transform.split_bytes` run: on worker threads over this
   * directory lake (the local profile). Absent: they go to the transform queue as RawRange
   * messages (AWS), or run one after the other in this process when there is no queue to send to.
   */
  pieceThreads?: PieceThreads;
}

/** Worker threads that each reopen the lake at `lakeRoot` (a thread cannot share the process's store). */
export interface PieceThreads {
  lakeRoot: string;
  threads: number;
}

/** What a context without settings (a test's, a bench's) plans with. */
export const DEFAULT_RUN_SETTINGS: RunSettings = { mapConcurrency: DEFAULT_MAP_CONCURRENCY, ecsSubnets: [] };
