import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './openSqliteDatabase';

/** Prepares each SQL statement once per database; polling and per-item updates reuse them. */
export class StatementCache {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: SqliteDatabase) {}

  get(text: string): Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }
}
