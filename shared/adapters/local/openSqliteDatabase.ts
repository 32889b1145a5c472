import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** How long a writer waits for another process's lock before failing (default 10 s). */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating when needed) a SQLite file shared by several local processes: WAL so readers
 * never block the writer, a busy timeout so concurrent writers queue instead of failing, and
 * `synchronous = NORMAL`, which in WAL mode survives a process crash (not a power cut) at a
 * fraction of the fsync cost.
 *
 * @example
 * const db = openSqliteDatabase('.dif/queues.db');
 */
export function openSqliteDatabase(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 10_000)}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  return db;
}
