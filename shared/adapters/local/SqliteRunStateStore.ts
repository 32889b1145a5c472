import type Database from 'better-sqlite3';
import type {
  CursorKey,
  CursorRecord,
  DiscoveryRecord,
  ItemPatch,
  ItemRecord,
  PartitionHistory,
  RunRecord,
  RunStateStore,
  StreamKey,
} from '../../ports/RunStateStore';
import { ItemIdentityMissingError, RunNotFoundError } from './errors';
import { openSqliteDatabase, type SqliteDatabase } from './openSqliteDatabase';
import { StatementCache } from './StatementCache';

type Statement = Database.Statement<unknown[]>;

export interface SqliteRunStateOptions {
  /** Clock for `updatedAt` and stage times; tests inject one. */
  now?: () => Date;
}

const IDENTITY = ['client', 'source', 'stream', 'partition'] as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id     TEXT NOT NULL UNIQUE,
  started_at TEXT NOT NULL,
  data       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at DESC, seq DESC);
CREATE TABLE IF NOT EXISTS items (
  run_id    TEXT NOT NULL,
  item_id   TEXT NOT NULL,
  client    TEXT NOT NULL,
  source    TEXT NOT NULL,
  stream    TEXT NOT NULL,
  partition TEXT NOT NULL,
  stage     TEXT NOT NULL,
  loaded_at TEXT,
  data      TEXT NOT NULL,
  PRIMARY KEY (run_id, item_id)
);
CREATE INDEX IF NOT EXISTS items_loaded ON items (stage, client, source, stream, partition, loaded_at);
CREATE TABLE IF NOT EXISTS discoveries (
  client  TEXT NOT NULL,
  source  TEXT NOT NULL,
  stream  TEXT NOT NULL,
  data    TEXT NOT NULL,
  PRIMARY KEY (client, source, stream)
);
CREATE TABLE IF NOT EXISTS cursors (
  client     TEXT NOT NULL,
  source     TEXT NOT NULL,
  stream     TEXT NOT NULL,
  partition  TEXT NOT NULL,
  value      TEXT NOT NULL,
  run_id     TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (client, source, stream, partition)
);
CREATE TABLE IF NOT EXISTS finished_pieces (
  run_id  TEXT NOT NULL,
  item_id TEXT NOT NULL,
  piece   INTEGER NOT NULL,
  PRIMARY KEY (run_id, item_id, piece)
);
`;

/**
 * Run state in a SQLite file (`<dataDir>/state.db`): runs, items and incremental cursors.
 *
 * Records are kept as JSON next to the columns the queries need. Patches merge field by field;
 * a key present with the value `undefined` removes that field (e.g. `{ error: undefined }` after a
 * successful retry).
 *
 * @example
 * const state = SqliteRunStateStore.open('.dif/state.db');
 * await state.updateItem(runId, itemId, { stage: 'extracting', attempts: 1 });
 */
export class SqliteRunStateStore implements RunStateStore {
  private readonly now: () => Date;

  private readonly statements: StatementCache;

  constructor(
    private readonly db: SqliteDatabase,
    options: SqliteRunStateOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    db.exec(SCHEMA);
    this.statements = new StatementCache(db);
  }

  private sql(text: string): Statement {
    return this.statements.get(text);
  }

  /** Opens (creating when needed) the state database file. */
  static open(file: string, options?: SqliteRunStateOptions): SqliteRunStateStore {
    const recovery =
      "It holds run history and incremental cursors: restore it from a backup, or move it aside (the next run then starts without history and extracts from each stream's start)";
    return new SqliteRunStateStore(openSqliteDatabase(file, { recovery }), options);
  }

  /** Creates the run, replacing any run stored under the same id (a retried Plan may repeat it). */
  async createRun(run: RunRecord): Promise<void> {
    this.sql(
      `INSERT INTO runs (run_id, started_at, data) VALUES (?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET started_at = excluded.started_at, data = excluded.data`,
    ).run(run.runId, run.startedAt, JSON.stringify(run));
  }

  /** Merges `patch` into the run. Throws {@link RunNotFoundError} when the run does not exist. */
  async updateRun(runId: string, patch: Partial<Omit<RunRecord, 'runId'>>): Promise<void> {
    this.db
      .transaction(() => {
        const current = this.readRun(runId);
        if (!current) throw new RunNotFoundError(runId);
        const next = merge(current, patch);
        next.runId = runId;
        this.sql('UPDATE runs SET started_at = ?, data = ? WHERE run_id = ?').run(
          next.startedAt,
          JSON.stringify(next),
          runId,
        );
      })
      .immediate();
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.readRun(runId);
  }

  /** Newest first by `startedAt`; all runs when `limit` is omitted. */
  async listRuns(limit?: number): Promise<RunRecord[]> {
    const rows = this.sql('SELECT data FROM runs ORDER BY started_at DESC, seq DESC LIMIT ?').all(limit ?? -1) as {
      data: string;
    }[];
    return rows.map((row) => JSON.parse(row.data) as RunRecord);
  }

  async updateItem(runId: string, itemId: string, patch: ItemPatch): Promise<ItemRecord> {
    return this.db
      .transaction(() => {
        const now = this.now().toISOString();
        const current = this.readItem(runId, itemId) ?? newItem(runId, itemId, patch);
        const next: ItemRecord = merge(current, patch);
        next.runId = runId;
        next.itemId = itemId;
        next.stageTimes = patch.stage ? { ...current.stageTimes, [patch.stage]: now } : current.stageTimes;
        next.updatedAt = now;
        this.writeItem(next);
        return next;
      })
      .immediate();
  }

  async getItem(runId: string, itemId: string): Promise<ItemRecord | undefined> {
    return this.readItem(runId, itemId);
  }

  /** The run's items ordered by item id. */
  async listItems(runId: string): Promise<ItemRecord[]> {
    const rows = this.sql('SELECT data FROM items WHERE run_id = ? ORDER BY item_id').all(runId) as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as ItemRecord);
  }

  /** Ordered by client, source, stream, partition. */
  async listLatestLoads(): Promise<ItemRecord[]> {
    const rows = this.sql(
      `SELECT data FROM (
           SELECT data, client, source, stream, partition, ROW_NUMBER() OVER (
             PARTITION BY client, source, stream, partition ORDER BY loaded_at DESC, run_id DESC) AS rank
           FROM items WHERE stage = 'loaded')
         WHERE rank = 1 ORDER BY client, source, stream, partition`,
    ).all() as { data: string }[];
    return rows.map((row) => JSON.parse(row.data) as ItemRecord);
  }

  /**
   * Two reads on the `items_loaded` index (stage, client, source, stream, partition, loaded_at):
   * the newest load per partition, then the newest failure. SQLite takes the other columns of an
   * aggregate query from the row holding the MAX.
   */
  async listPartitionHistory(key: StreamKey): Promise<PartitionHistory[]> {
    type Row = { partition: string; run_id: string; at: string | null; error?: string | null };
    const args = [key.client, key.source, key.stream];
    const history = new Map<string, PartitionHistory>();
    const entry = (partition: string) =>
      history.get(partition) ?? history.set(partition, { partition }).get(partition)!;
    const loads = this.sql(
      `SELECT partition, run_id, MAX(loaded_at) AS at FROM items
         WHERE stage = 'loaded' AND client = ? AND source = ? AND stream = ? GROUP BY partition`,
    ).all(...args) as Row[];
    for (const row of loads)
      Object.assign(entry(row.partition), { ...(row.at ? { loadedAt: row.at } : {}), loadedRunId: row.run_id });
    const failures = this.sql(
      `SELECT partition, run_id, MAX(json_extract(data, '$.stageTimes.failed')) AS at,
           json_extract(data, '$.error') AS error FROM items
         WHERE stage = 'failed' AND client = ? AND source = ? AND stream = ? GROUP BY partition`,
    ).all(...args) as Row[];
    for (const row of failures) {
      Object.assign(entry(row.partition), {
        ...(row.at ? { failedAt: row.at } : {}),
        failedRunId: row.run_id,
        ...(typeof row.error === 'string' ? { error: row.error } : {}),
      });
    }
    return [...history.values()].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0));
  }

  async getDiscovery(stream: StreamKey): Promise<DiscoveryRecord | undefined> {
    const row = this.sql('SELECT data FROM discoveries WHERE client = ? AND source = ? AND stream = ?').get(
      stream.client,
      stream.source,
      stream.stream,
    ) as { data: string } | undefined;
    return row && { ...(JSON.parse(row.data) as DiscoveryRecord), ...pickStreamKey(stream) };
  }

  async putDiscovery(record: DiscoveryRecord): Promise<void> {
    this.sql(
      `INSERT INTO discoveries (client, source, stream, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (client, source, stream) DO UPDATE SET data = excluded.data`,
    ).run(record.client, record.source, record.stream, JSON.stringify(record));
  }

  /** One row per finished piece: inserting a piece again changes nothing, and the count is read in the same transaction. */
  async finishPiece(runId: string, itemId: string, piece: number): Promise<number> {
    return this.db
      .transaction(() => {
        this.sql('INSERT OR IGNORE INTO finished_pieces (run_id, item_id, piece) VALUES (?, ?, ?)').run(
          runId,
          itemId,
          piece,
        );
        const row = this.sql('SELECT count(*) AS finished FROM finished_pieces WHERE run_id = ? AND item_id = ?').get(
          runId,
          itemId,
        ) as { finished: number };
        return row.finished;
      })
      .immediate();
  }

  async getCursor(key: CursorKey): Promise<CursorRecord | undefined> {
    const row = this.sql('SELECT * FROM cursors WHERE client = ? AND source = ? AND stream = ? AND partition = ?').get(
      key.client,
      key.source,
      key.stream,
      key.partition,
    ) as CursorRow | undefined;
    return row && toCursor(row);
  }

  async putCursor(record: Omit<CursorRecord, 'updatedAt'>, expected?: string | null): Promise<boolean> {
    const values = [
      record.client,
      record.source,
      record.stream,
      record.partition,
      record.value,
      record.runId,
      this.now().toISOString(),
    ];
    const insert =
      'INSERT INTO cursors (client, source, stream, partition, value, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
    if (expected === undefined) {
      this.sql(
        `${insert} ON CONFLICT (client, source, stream, partition)
           DO UPDATE SET value = excluded.value, run_id = excluded.run_id, updated_at = excluded.updated_at`,
      ).run(...values);
      return true;
    }
    if (expected === null) {
      return this.sql(`${insert} ON CONFLICT DO NOTHING`).run(...values).changes === 1;
    }
    const result = this.sql(
      `UPDATE cursors SET value = ?, run_id = ?, updated_at = ?
         WHERE client = ? AND source = ? AND stream = ? AND partition = ? AND value = ?`,
    ).run(
      record.value,
      record.runId,
      values[6],
      record.client,
      record.source,
      record.stream,
      record.partition,
      expected,
    );
    return result.changes === 1;
  }

  /** Closes the database file. */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private readRun(runId: string): RunRecord | undefined {
    const row = this.sql('SELECT data FROM runs WHERE run_id = ?').get(runId) as { data: string } | undefined;
    return row && (JSON.parse(row.data) as RunRecord);
  }

  private readItem(runId: string, itemId: string): ItemRecord | undefined {
    const row = this.sql('SELECT data FROM items WHERE run_id = ? AND item_id = ?').get(runId, itemId) as
      { data: string } | undefined;
    return row && (JSON.parse(row.data) as ItemRecord);
  }

  private writeItem(item: ItemRecord): void {
    this.sql(
      `INSERT INTO items (run_id, item_id, client, source, stream, partition, stage, loaded_at, data)
         VALUES (@runId, @itemId, @client, @source, @stream, @partition, @stage, @loadedAt, @data)
         ON CONFLICT (run_id, item_id) DO UPDATE SET client = excluded.client, source = excluded.source,
           stream = excluded.stream, partition = excluded.partition, stage = excluded.stage,
           loaded_at = excluded.loaded_at, data = excluded.data`,
    ).run({
      runId: item.runId,
      itemId: item.itemId,
      client: item.client,
      source: item.source,
      stream: item.stream,
      partition: item.partition,
      stage: item.stage,
      loadedAt: item.stageTimes.loaded ?? null,
      data: JSON.stringify(item),
    });
  }
}

interface CursorRow {
  client: string;
  source: string;
  stream: string;
  partition: string;
  value: string;
  run_id: string;
  updated_at: string;
}

function toCursor(row: CursorRow): CursorRecord {
  return {
    client: row.client,
    source: row.source,
    stream: row.stream,
    partition: row.partition,
    value: row.value,
    runId: row.run_id,
    updatedAt: row.updated_at,
  };
}

/** The starting point of an item's first write; its identity must come from the patch. */
function newItem(runId: string, itemId: string, patch: ItemPatch): ItemRecord {
  const missing = IDENTITY.filter((field) => typeof patch[field] !== 'string');
  if (missing.length > 0) throw new ItemIdentityMissingError(runId, itemId, missing);
  return {
    runId,
    itemId,
    client: patch.client as string,
    source: patch.source as string,
    stream: patch.stream as string,
    partition: patch.partition as string,
    stage: 'planned',
    attempts: 0,
    stageTimes: {},
    updatedAt: '',
  };
}

/** Fields a patch may change but never remove. */
const REQUIRED = new Set([
  'runId',
  'itemId',
  'status',
  'startedAt',
  ...IDENTITY,
  'stage',
  'attempts',
  'stageTimes',
  'updatedAt',
]);

/** Shallow merge where a key explicitly set to `undefined` deletes the (optional) field. */
function merge<T extends object>(current: T, patch: object): T {
  const next = { ...current } as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined) next[field] = value;
    else if (!REQUIRED.has(field)) delete next[field];
  }
  return next as T;
}

function pickStreamKey({ client, source, stream }: StreamKey): StreamKey {
  return { client, source, stream };
}
