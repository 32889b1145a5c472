import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteFileError } from './errors';

export type SqliteDatabase = Database.Database;

export interface OpenSqliteOptions {
  /** How long a writer waits for another process's lock before failing (default 10 s). */
  busyTimeoutMs?: number;
  /** What a person should do when the file is damaged (what it holds, how to recover); shown with the file's path. */
  recovery?: string;
}

/** SQLite result codes that mean the file itself is unusable, not that it is busy. */
const DAMAGED = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN', 'SQLITE_IOERR_SHORT_READ']);

/**
 * Opens (creating when needed) a SQLite file shared by several local processes: WAL so readers
 * never block the writer, a busy timeout so concurrent writers queue instead of failing, and
 * `synchronous = NORMAL`, which in WAL mode survives a process crash (not a power cut) at a
 * fraction of the fsync cost. A file that is not a SQLite database, or whose schema is damaged,
 * fails at once with a {@link SqliteFileError} naming it and saying what to do (`recovery`).
 *
 * @example
 * const db = openSqliteDatabase('.dif/queues.db');
 */
export function openSqliteDatabase(file: string, options: OpenSqliteOptions = {}): SqliteDatabase {
  mkdirSync(dirname(file), { recursive: true });
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file);
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 10_000)}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Reads the whole schema now, so a damaged file fails here with its name, not mid-run.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !DAMAGED.has(code)) throw error;
    if (db?.open) db.close();
    throw new SqliteFileError(
      file,
      (error as Error).message,
      options.recovery ?? 'Restore it from a backup, or move it aside to start with an empty one',
      { cause: error },
    );
  }
}
