import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { logger } from '../../shared/log';
import { openSqliteDatabase, type SqliteDatabase } from '../../shared/adapters/local/openSqliteDatabase';
import { DataDirBusyError } from './errors';

/** Who holds a data directory: enough to name it in a message and to tell whether it is still alive. */
export interface LockHolder {
  /** What the holder is doing: `dif run`, `dif sql`, `dif dlq replay --drain`… */
  command: string;
  /** The run it is executing, once known. */
  runId?: string;
  pid: number;
  host: string;
  /** The process's start time as the kernel reports it (Linux); tells a reused pid from the holder. */
  processStart?: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface DataDirLockOptions {
  /** What the new holder is doing, for the message another process gets. */
  command: string;
  runId?: string;
  /** How long to wait for a live holder to finish (ms); 0 (default) fails at once, Infinity waits for good. */
  waitMs?: number;
  /**
   * A holder whose liveness cannot be checked from here (another host, or no process start time)
   * is dead once its heartbeat is this old. Default 30 s.
   */
  leaseMs?: number;
  /** How often the holder refreshes its heartbeat. Default 5 s. */
  heartbeatMs?: number;
  /** Between two looks while waiting. Default 500 ms. */
  pollMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS holder (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  token  TEXT NOT NULL,
  data   TEXT NOT NULL
);
`;

/** The lock's file in a data directory. */
export function lockFileOf(dataDir: string): string {
  return join(dataDir, 'lock.db');
}

/**
 * One writer per data directory (DESIGN.md §5). The queues of a data directory have one set of
 * consumers and PGlite one process: a second `dif run` would take the first one's messages, drop
 * its task tokens as stale, and open the embedded warehouse twice. Every command that consumes
 * the queues or opens PGlite therefore holds this lock, a row in `<dataDir>/lock.db` naming the
 * holder (command, run, pid, host), taken in one IMMEDIATE transaction so two processes never
 * both win.
 *
 * A holder that died (SIGKILL, power loss) is taken over at once: on the same host its pid no
 * longer exists, or exists with another start time (a reused pid); elsewhere, or where the
 * start time cannot be read, its heartbeat is older than the lease. `previous` then names it, so
 * the caller can recover what it left in flight.
 *
 * @example
 * const lock = await DataDirLock.acquire('.dif', { command: 'dif run', waitMs: 0 });
 * try { … } finally { await lock.release(); }
 */
export class DataDirLock {
  private heartbeat: NodeJS.Timeout | undefined;
  private released = false;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly token: string,
    private holder: LockHolder,
    /** A holder found dead and taken over, if any. */
    readonly previous: LockHolder | undefined,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Takes the lock of `dataDir`, taking over a dead holder's. A live holder makes it throw
   * {@link DataDirBusyError} naming the holder, or wait up to `waitMs` for it to finish.
   */
  static async acquire(dataDir: string, options: DataDirLockOptions): Promise<DataDirLock> {
    const db = openSqliteDatabase(lockFileOf(dataDir));
    db.exec(SCHEMA);
    const leaseMs = options.leaseMs ?? 30_000;
    const deadline = Date.now() + (options.waitMs ?? 0);
    let announced = false;
    try {
      for (;;) {
        const token = randomUUID();
        const now = new Date().toISOString();
        const mine: LockHolder = {
          command: options.command,
          ...(options.runId ? { runId: options.runId } : {}),
          pid: process.pid,
          host: hostname(),
          ...processStartOf(process.pid),
          acquiredAt: now,
          heartbeatAt: now,
        };
        const outcome = db
          .transaction(() => {
            const current = readHolder(db);
            if (current && isAlive(current.holder, leaseMs)) return { taken: false as const, current: current.holder };
            db.prepare('INSERT OR REPLACE INTO holder (id, token, data) VALUES (1, ?, ?)').run(
              token,
              JSON.stringify(mine),
            );
            return { taken: true as const, previous: current?.holder };
          })
          .immediate();
        if (outcome.taken) {
          if (outcome.previous)
            logger.warn('took over the data directory from a holder that is gone', { previous: outcome.previous });
          return new DataDirLock(db, token, mine, outcome.previous, options.heartbeatMs ?? 5_000);
        }
        if (Date.now() >= deadline) throw new DataDirBusyError(dataDir, options.command, outcome.current);
        if (!announced) {
          announced = true;
          process.stderr.write(`${DataDirBusyError.describe(dataDir, outcome.current)}; waiting for it to finish…\n`);
        }
        await sleep(Math.min(options.pollMs ?? 500, Math.max(1, deadline - Date.now())));
      }
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * The current holder of `dataDir` and whether it is alive, without taking anything (for
   * `dif runs list`, which shows a run whose holder is gone as `abandoned`).
   */
  static inspect(dataDir: string, leaseMs = 30_000): { holder: LockHolder; alive: boolean } | undefined {
    if (!existsSync(lockFileOf(dataDir))) return undefined;
    let db: SqliteDatabase | undefined;
    try {
      db = openSqliteDatabase(lockFileOf(dataDir));
      const current = readHolder(db);
      return current ? { holder: current.holder, alive: isAlive(current.holder, leaseMs) } : undefined;
    } catch {
      // No table in it yet: nobody has held this data directory.
      return undefined;
    } finally {
      db?.close();
    }
  }

  /** Names the run this holder executes, once it has an id. */
  setRunId(runId: string): void {
    this.holder = { ...this.holder, runId };
    this.write();
  }

  /** Lets the next process in. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.heartbeat);
    try {
      this.db.prepare('DELETE FROM holder WHERE id = 1 AND token = ?').run(this.token);
    } finally {
      this.db.close();
    }
  }

  private beat(): void {
    if (this.released) return;
    this.holder = { ...this.holder, heartbeatAt: new Date().toISOString() };
    try {
      this.write();
    } catch (error) {
      logger.warn('could not refresh the data directory lock', { error: String(error) });
    }
  }

  private write(): void {
    const { changes } = this.db
      .prepare('UPDATE holder SET data = ? WHERE id = 1 AND token = ?')
      .run(JSON.stringify(this.holder), this.token);
    if (changes === 0 && !this.released) {
      // Only possible when this process stalled for longer than the lease where its pid cannot be checked.
      logger.error('the data directory lock was taken over by another process; this process should stop', {
        holder: this.holder,
      });
    }
  }
}

function readHolder(db: SqliteDatabase): { token: string; holder: LockHolder } | undefined {
  const row = db.prepare('SELECT token, data FROM holder WHERE id = 1').get() as
    { token: string; data: string } | undefined;
  return row ? { token: row.token, holder: JSON.parse(row.data) as LockHolder } : undefined;
}

/**
 * Whether a recorded holder still runs. On this host: its pid exists and (where the kernel tells)
 * started when the holder did — a pid reused by another process does not count. Elsewhere, or
 * without a start time: its heartbeat is fresher than the lease.
 */
export function isAlive(holder: LockHolder, leaseMs: number): boolean {
  const fresh = Date.now() - Date.parse(holder.heartbeatAt) < leaseMs;
  if (holder.host !== hostname()) return fresh;
  if (!pidExists(holder.pid)) return false;
  const start = processStartOf(holder.pid).processStart;
  if (holder.processStart !== undefined && start !== undefined) return start === holder.processStart;
  return fresh;
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); absent where there is no /proc. */
function processStartOf(pid: number): { processStart?: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start ? { processStart: start } : {};
  } catch {
    return {};
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
