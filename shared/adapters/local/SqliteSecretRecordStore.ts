import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SecretRecord, SecretRecordStore } from '../../ports';
import { openSqliteDatabase, type SqliteDatabase } from './openSqliteDatabase';

interface Row {
  client: string;
  source: string;
  version: number;
  ciphertext: string;
  encrypted_data_key: string;
  key_id: string;
  fields: string;
  created_at: string;
  rotated_at: string;
}

const COLUMNS = 'client, source, version, ciphertext, encrypted_data_key, key_id, fields, created_at, rotated_at';

/**
 * Envelope-encrypted credentials in `<dataDir>/secrets.db`. Every write is conditional on the
 * version the writer read, so two workers rotating the same credential never overwrite each
 * other silently: the loser sees `false`, re-reads and re-applies its change.
 *
 * @example
 * const records = SqliteSecretRecordStore.inDataDir('.dif');
 */
export class SqliteSecretRecordStore implements SecretRecordStore {
  private readonly db: SqliteDatabase;

  constructor(readonly file: string) {
    // Nothing in the file is readable without the keyring, but its metadata (clients, sources,
    // field names) is nobody else's business either: create it owner-only.
    mkdirSync(dirname(file), { recursive: true });
    closeSync(openSync(file, 'a', 0o600));
    this.db = openSqliteDatabase(file, {
      recovery:
        'It holds the encrypted credentials: restore it from a backup, or move it aside and store each credential again with `dif credentials put`',
    });
    this.db.exec(`CREATE TABLE IF NOT EXISTS secret_records (
      client TEXT NOT NULL,
      source TEXT NOT NULL,
      version INTEGER NOT NULL,
      ciphertext TEXT NOT NULL,
      encrypted_data_key TEXT NOT NULL,
      key_id TEXT NOT NULL,
      fields TEXT NOT NULL,
      created_at TEXT NOT NULL,
      rotated_at TEXT NOT NULL,
      PRIMARY KEY (client, source)
    )`);
  }

  /** The store of a local data directory (`<dataDir>/secrets.db`). */
  static inDataDir(dataDir: string): SqliteSecretRecordStore {
    return new SqliteSecretRecordStore(join(dataDir, 'secrets.db'));
  }

  async get(client: string, source: string): Promise<SecretRecord | undefined> {
    const row = this.db
      .prepare(`SELECT ${COLUMNS} FROM secret_records WHERE client = ? AND source = ?`)
      .get(client, source) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  async put(record: SecretRecord): Promise<boolean> {
    const values = toRow(record);
    if (record.version === 1) {
      const result = this.db
        .prepare(
          `INSERT INTO secret_records (${COLUMNS}) VALUES (@client, @source, @version, @ciphertext, @encrypted_data_key, @key_id, @fields, @created_at, @rotated_at) ON CONFLICT (client, source) DO NOTHING`,
        )
        .run(values);
      return result.changes === 1;
    }
    const result = this.db
      .prepare(
        `UPDATE secret_records SET version = @version, ciphertext = @ciphertext, encrypted_data_key = @encrypted_data_key,
           key_id = @key_id, fields = @fields, created_at = @created_at, rotated_at = @rotated_at
         WHERE client = @client AND source = @source AND version = @version - 1`,
      )
      .run(values);
    return result.changes === 1;
  }

  async list(): Promise<SecretRecord[]> {
    const rows = this.db.prepare(`SELECT ${COLUMNS} FROM secret_records ORDER BY client, source`).all() as Row[];
    return rows.map(fromRow);
  }

  async delete(client: string, source: string): Promise<void> {
    this.db.prepare('DELETE FROM secret_records WHERE client = ? AND source = ?').run(client, source);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toRow(record: SecretRecord): Row {
  return {
    client: record.client,
    source: record.source,
    version: record.version,
    ciphertext: record.ciphertext,
    encrypted_data_key: record.encryptedDataKey,
    key_id: record.keyId,
    fields: JSON.stringify(record.fields),
    created_at: record.createdAt,
    rotated_at: record.rotatedAt,
  };
}

function fromRow(row: Row): SecretRecord {
  return {
    client: row.client,
    source: row.source,
    version: row.version,
    ciphertext: row.ciphertext,
    encryptedDataKey: row.encrypted_data_key,
    keyId: row.key_id,
    fields: JSON.parse(row.fields) as string[],
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
  };
}
