import type { ItemStage } from '../runState/itemStages';

/** Stage an item has reached: the table of stages is shared/runState/itemStages.ts. */
export type { ItemStage };
/** `abandoned`: the process running it died (killed, crashed) before Finalize; its items did not all finish. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';

export interface RunRecord {
  runId: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  /** Free-form totals written by Finalize (items, records, rows per table…). */
  summary?: Record<string, unknown>;
  /** What started the run (`dif run`, schedule, console) and its filters. */
  trigger?: Record<string, unknown>;
  /**
   * Refreshed every few seconds by the process executing a local run: a `running` run whose
   * heartbeat is older than a lease (see `runStatusAt`) is shown as `abandoned`.
   */
  heartbeatAt?: string;
}

/** Progress of one work item. Counters are absolute values set by the stage that owns them. */
export interface ItemRecord {
  runId: string;
  itemId: string;
  client: string;
  source: string;
  stream: string;
  partition: string;
  stage: ItemStage;
  attempts: number;
  pages?: number;
  rawBytes?: number;
  recordsIn?: number;
  recordsOut?: number;
  recordsRejected?: number;
  rowsLoaded?: number;
  table?: string;
  /** Rows loaded into each child table of the stream (`schema.table` → rows), beside `table`'s own. */
  childRows?: Record<string, number>;
  /** The transformer found no records in the item's raw data, which its stream's `expect_records` allows. */
  empty?: boolean;
  error?: string;
  /** Times an async report job was created again after the platform failed it (`async_job.resubmit`). */
  resubmits?: number;
  /** For a `superseded` item: the newer batch already loaded, e.g. `{batchId} extracted at {time}`. */
  supersededBy?: string;
  /** ISO timestamps per stage transition, e.g. `{extracting: '…', extracted: '…'}`. */
  stageTimes: Partial<Record<ItemStage, string>>;
  updatedAt: string;
}

export type ItemPatch = Partial<Omit<ItemRecord, 'runId' | 'itemId' | 'stageTimes' | 'updatedAt'>>;

/** One stream of one client: the scope of partition history and gaps. */
export interface StreamKey {
  client: string;
  source: string;
  stream: string;
}

/** What run state knows about one partition of a stream, across every run. */
export interface PartitionHistory {
  partition: string;
  /** When its newest successful load finished, and the run that did it; absent: never loaded. */
  loadedAt?: string;
  loadedRunId?: string;
  /** Its newest failure, when one is on record (also when a later run loaded it). */
  failedAt?: string;
  failedRunId?: string;
  error?: string;
}

/**
 * The partitions Plan last discovered for a stream (`partition.from_stream`): what Plan planned
 * and what `dif status` expects, until the next discovery replaces it.
 */
export interface DiscoveryRecord extends StreamKey {
  /** One entry per discovered partition, its values by name (e.g. `{ account_id: '1002' }`), in discovery order. */
  values: Record<string, string>[];
  /** Records the discovery call returned, before `include`/`exclude`. */
  found: number;
  discoveredAt: string;
  runId: string;
}

export interface CursorKey {
  client: string;
  source: string;
  stream: string;
  partition: string;
}

export interface CursorRecord extends CursorKey {
  value: string;
  updatedAt: string;
  runId: string;
}

/**
 * Run state: runs, items and incremental cursors (DESIGN.md §2).
 *
 * Adapters: `SqliteRunStateStore` (local), `DynamoRunStateStore` (aws).
 */
export interface RunStateStore {
  createRun(run: RunRecord): Promise<void>;
  /** Merges `patch` into an existing run (`undefined` removes an optional field); throws when the run does not exist. */
  updateRun(runId: string, patch: Partial<Omit<RunRecord, 'runId'>>): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Newest first. */
  listRuns(limit?: number): Promise<RunRecord[]>;
  /**
   * Creates or updates an item. A `stage` in the patch stamps `stageTimes[stage]` with now.
   * Identity fields (client…partition) are required on the first write. An optional field present
   * in the patch with the value `undefined` is removed (e.g. `{ error: undefined }` after a
   * successful retry); `attempts` changes only when the patch sets it.
   */
  updateItem(runId: string, itemId: string, patch: ItemPatch): Promise<ItemRecord>;
  getItem(runId: string, itemId: string): Promise<ItemRecord | undefined>;
  listItems(runId: string): Promise<ItemRecord[]>;
  /** Latest loaded item per client/source/stream/partition across all runs (for `dif status`). */
  listLatestLoads(): Promise<ItemRecord[]>;
  /**
   * Every partition of one stream that has loaded or failed in any run, with its newest load and
   * newest failure, ordered by partition. An indexed query per stream (Plan and `dif status` call
   * it per stream), not a scan of every run.
   */
  listPartitionHistory(stream: StreamKey): Promise<PartitionHistory[]>;

  /** The newest discovery of a stream's partitions, or undefined when none ran yet. */
  getDiscovery(stream: StreamKey): Promise<DiscoveryRecord | undefined>;
  /** Replaces a stream's discovery (the newest one wins; Plan writes it once per run). */
  putDiscovery(record: DiscoveryRecord): Promise<void>;

  getCursor(key: CursorKey): Promise<CursorRecord | undefined>;
  /**
   * Advances a cursor. With `expected` set, writes only if the stored value is still `expected`
   * (undefined = no cursor yet); returns false when another writer got there first.
   */
  putCursor(record: Omit<CursorRecord, 'updatedAt'>, expected?: string | null): Promise<boolean>;

  /**
   * Records that piece `piece` of an item split into byte ranges is transformed, and returns how
   * many distinct pieces of the item are. Atomic, and idempotent per piece: a redelivered piece is
   * not counted twice, so the call that returns the item's piece count is the last piece's.
   */
  finishPiece(runId: string, itemId: string, piece: number): Promise<number>;
}
