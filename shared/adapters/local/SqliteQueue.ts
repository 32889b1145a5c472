import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { DeadLetter, Queue, QueueName, ReceivedMessage, ReceiveOptions } from '../../ports/Queue';
import type { SqliteDatabase } from './openSqliteDatabase';
import { StatementCache } from './StatementCache';

type Statement = Database.Statement<unknown[]>;

export interface SqliteQueueOptions {
  /** A message received this many times and still not acknowledged goes to the DLQ (default 5). */
  maxReceiveCount?: number;
  /** Default visibility timeout of a receive (default 30 s). */
  visibilityTimeoutSeconds?: number;
  /** How often a long-polling receive looks again (default 100 ms). */
  pollIntervalMs?: number;
  /** Clock in epoch milliseconds; tests inject one to make visibility timeouts pass instantly. */
  now?: () => number;
}

/** SQS's ceiling on one receive. */
const MAX_BATCH = 10;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queue_messages (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  queue         TEXT    NOT NULL,
  id            TEXT    NOT NULL,
  body          TEXT    NOT NULL,
  sent_at       INTEGER NOT NULL,
  visible_at    INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  receipt       TEXT,
  last_error    TEXT,
  dead_at       INTEGER,
  UNIQUE (queue, id)
);
CREATE INDEX IF NOT EXISTS queue_messages_ready ON queue_messages (queue, dead_at, visible_at, seq);
CREATE UNIQUE INDEX IF NOT EXISTS queue_messages_receipt ON queue_messages (receipt) WHERE receipt IS NOT NULL;
`;

interface MessageRow {
  seq: number;
  id: string;
  body: string;
  sent_at: number;
  receive_count: number;
  last_error: string | null;
  dead_at: number | null;
}

/**
 * A durable queue and its dead-letter queue in a SQLite file, safe to share between processes:
 * every state change is one IMMEDIATE transaction, so two consumers never receive the same
 * delivery. Semantics follow SQS: a received message is invisible for the visibility timeout, then
 * comes back with its receive count increased; one that would be received more than
 * `maxReceiveCount` times is moved to the DLQ instead.
 *
 * @example
 * const db = openSqliteDatabase('.dif/queues.db');
 * const queue = new SqliteQueue(db, 'transform', { maxReceiveCount: 5 });
 * const [message] = await queue.receive({ waitSeconds: 1 });
 */
export class SqliteQueue implements Queue {
  readonly name: QueueName;
  private readonly maxReceiveCount: number;
  private readonly visibilityTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly now: () => number;
  /**
   * Long-polls of this process waiting on this queue: a send here wakes them at once, where a
   * poll would wait up to pollIntervalMs (every hop of a local run, 0.1 s each). Messages other
   * processes send (`dif dlq replay` during a run) are still found by polling.
   */
  private readonly sleepers = new Set<() => void>();

  private readonly statements: StatementCache;

  constructor(
    private readonly db: SqliteDatabase,
    name: QueueName,
    options: SqliteQueueOptions = {},
  ) {
    this.name = name;
    this.maxReceiveCount = positiveInteger(options.maxReceiveCount ?? 5, 'maxReceiveCount');
    this.visibilityTimeoutMs = seconds(options.visibilityTimeoutSeconds ?? 30, 'visibilityTimeoutSeconds');
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.now = options.now ?? Date.now;
    db.exec(SCHEMA);
    this.statements = new StatementCache(db);
  }

  private sql(text: string): Statement {
    return this.statements.get(text);
  }

  async send(body: string, options: { delaySeconds?: number } = {}): Promise<string> {
    const id = randomUUID();
    const now = this.now();
    this.sql('INSERT INTO queue_messages (queue, id, body, sent_at, visible_at) VALUES (?, ?, ?, ?, ?)').run(
      this.name,
      id,
      body,
      now,
      now + seconds(options.delaySeconds ?? 0, 'delaySeconds'),
    );
    if (!options.delaySeconds) this.wakeSleepers();
    return id;
  }

  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const max = Math.min(positiveInteger(options.maxMessages ?? 1, 'maxMessages'), MAX_BATCH);
    const visibilityMs = seconds(
      options.visibilityTimeoutSeconds ?? this.visibilityTimeoutMs / 1000,
      'visibilityTimeoutSeconds',
    );
    // Long-poll deadlines use the real clock: an injected clock may stand still.
    const deadline = performance.now() + seconds(options.waitSeconds ?? 0, 'waitSeconds');
    for (;;) {
      const delivered = this.deliver(max, visibilityMs);
      if (delivered.length > 0 || performance.now() >= deadline) return delivered;
      await this.nap(Math.min(this.pollIntervalMs, Math.max(1, deadline - performance.now())));
    }
  }

  /** Sleeps `ms`, or less when a message is sent or made visible in this process meanwhile. */
  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private wakeSleepers(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  async ack(receiptHandle: string): Promise<void> {
    // A stale or repeated receipt deletes nothing, like SQS: the message has moved on.
    this.sql('DELETE FROM queue_messages WHERE queue = ? AND receipt = ?').run(this.name, receiptHandle);
  }

  async release(receiptHandle: string, options: { delaySeconds?: number; error?: string } = {}): Promise<void> {
    const visibleAt = this.now() + seconds(options.delaySeconds ?? 0, 'delaySeconds');
    this.sql(
      `UPDATE queue_messages SET visible_at = ?, receipt = NULL, last_error = COALESCE(?, last_error)
         WHERE queue = ? AND receipt = ? AND dead_at IS NULL`,
    ).run(visibleAt, options.error ?? null, this.name, receiptHandle);
    if (!options.delaySeconds) this.wakeSleepers();
  }

  async deadLetter(message: Pick<ReceivedMessage, 'receiptHandle'>, cause: string): Promise<void> {
    this.sql(
      `UPDATE queue_messages SET dead_at = ?, receipt = NULL, last_error = ?
         WHERE queue = ? AND receipt = ? AND dead_at IS NULL`,
    ).run(this.now(), cause, this.name, message.receiptHandle);
  }

  /**
   * Makes every message in flight visible now, returning how many. Only for a process that holds
   * the data directory alone (cli DataDirLock): a delivery in flight then belongs to a consumer
   * that died, and the next run should not wait out its visibility timeout. Receive counts stay:
   * a message that keeps killing its consumer still ends in the DLQ.
   */
  recoverInFlight(): number {
    return this.sql(
      `UPDATE queue_messages SET visible_at = ?, receipt = NULL
         WHERE queue = ? AND dead_at IS NULL AND receipt IS NOT NULL`,
    ).run(this.now(), this.name).changes;
  }

  async depth(): Promise<{ visible: number; inFlight: number; dead: number }> {
    const row = this.sql(
      `SELECT
           COALESCE(SUM(dead_at IS NULL AND visible_at <= @now), 0) AS visible,
           COALESCE(SUM(dead_at IS NULL AND visible_at > @now), 0) AS inFlight,
           COALESCE(SUM(dead_at IS NOT NULL), 0) AS dead
         FROM queue_messages WHERE queue = @queue`,
    ).get({ now: this.now(), queue: this.name }) as { visible: number; inFlight: number; dead: number };
    return { visible: row.visible, inFlight: row.inFlight, dead: row.dead };
  }

  async listDeadLetters(): Promise<DeadLetter[]> {
    const rows = this.sql(
      'SELECT * FROM queue_messages WHERE queue = ? AND dead_at IS NOT NULL ORDER BY dead_at, seq',
    ).all(this.name) as MessageRow[];
    return rows.map((row) => ({
      id: row.id,
      body: row.body,
      receiveCount: row.receive_count,
      sentAt: new Date(row.sent_at),
      deadAt: new Date(row.dead_at ?? 0),
      ...(row.last_error === null ? {} : { lastError: row.last_error }),
    }));
  }

  async redrive(ids?: string[]): Promise<number> {
    const now = this.now();
    const move = this.sql(
      `UPDATE queue_messages SET dead_at = NULL, receive_count = 0, visible_at = ?, receipt = NULL
       WHERE queue = ? AND dead_at IS NOT NULL AND (? IS NULL OR id = ?)`,
    );
    const moved = this.db
      .transaction(() => {
        if (ids === undefined) return move.run(now, this.name, null, null).changes;
        return ids.reduce((count, id) => count + move.run(now, this.name, id, id).changes, 0);
      })
      .immediate();
    if (moved > 0) this.wakeSleepers();
    return moved;
  }

  /** One receive attempt: dead-letters exhausted messages, then leases up to `max` others. */
  private deliver(max: number, visibilityMs: number): ReceivedMessage[] {
    // A read first: idle long-polls from several processes then never queue for the write lock.
    const ready = this.sql(
      'SELECT 1 FROM queue_messages WHERE queue = ? AND dead_at IS NULL AND visible_at <= ? LIMIT 1',
    ).get(this.name, this.now());
    if (!ready) return [];
    return this.db
      .transaction(() => {
        const now = this.now();
        this.sql(
          `UPDATE queue_messages SET dead_at = ?, receipt = NULL
           WHERE queue = ? AND dead_at IS NULL AND visible_at <= ? AND receive_count >= ?`,
        ).run(now, this.name, now, this.maxReceiveCount);
        const rows = this.sql(
          `SELECT * FROM queue_messages WHERE queue = ? AND dead_at IS NULL AND visible_at <= ?
           ORDER BY visible_at, seq LIMIT ?`,
        ).all(this.name, now, max) as MessageRow[];
        const lease = this.sql(
          'UPDATE queue_messages SET receive_count = receive_count + 1, receipt = ?, visible_at = ? WHERE seq = ?',
        );
        return rows.map((row) => {
          const receiptHandle = `${row.id}:${randomUUID()}`;
          lease.run(receiptHandle, now + visibilityMs, row.seq);
          return {
            id: row.id,
            body: row.body,
            receiptHandle,
            receiveCount: row.receive_count + 1,
            sentAt: new Date(row.sent_at),
          };
        });
      })
      .immediate();
  }
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${what} must be a whole number of at least 1, got ${value}`);
  return value;
}

/** Seconds → milliseconds, refusing negative or non-finite durations. */
function seconds(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be zero or more seconds, got ${value}`);
  return Math.round(value * 1000);
}
