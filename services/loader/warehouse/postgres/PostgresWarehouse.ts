import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import pg from 'pg';
import { WarehouseUnreachableError } from './WarehouseUnreachableError';
import { pgTypesWithDateText } from './pgTypesWithDateText';
import { from as copyFrom } from 'pg-copy-streams';
import type { ObjectStore } from '../../../../shared/ports/ObjectStore';
import type { LoadRequest, LoadResult, Warehouse } from '../../../../shared/ports/Warehouse';
import { CSV_COPY_OPTIONS, CSV_COPY_OPTIONS_PG14 } from './copyOptions';
import { loadPostgresBatch } from './loadPostgresBatch';
import type { LoadHooks, PgTransaction, PgTransactor, ResultTable, TabularQuery } from './types';

export interface PostgresWarehouseOptions {
  /** Where the clean parts and manifests are read from. */
  objectStore: ObjectStore;
  /** libpq URL, e.g. `postgresql://user@host:5432/db` (DATABASE_URL). */
  connectionString: string;
  /** Pool size; one connection per concurrent load. Default 4. */
  maxConnections?: number;
  hooks?: LoadHooks;
}

/**
 * A PostgreSQL server as the warehouse. Parts stream from the object store through gunzip into
 * `COPY … FROM STDIN` (pg-copy-streams), so memory stays flat whatever the batch size.
 *
 * @example
 * const warehouse = new PostgresWarehouse({ objectStore, connectionString: process.env.DATABASE_URL! });
 * await warehouse.load({ batchId, table, mode: 'merge', manifestKey });
 */
export class PostgresWarehouse implements Warehouse, PgTransactor, TabularQuery {
  private readonly pool: pg.Pool;
  private copyOptions?: Promise<string>;

  constructor(private readonly options: PostgresWarehouseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 4,
      types: pgTypesWithDateText,
    });
    // An idle client losing its connection must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  async load(request: LoadRequest): Promise<LoadResult> {
    try {
      return await loadPostgresBatch(this, this.options.objectStore, request, this.options.hooks);
    } catch (error) {
      throw WarehouseUnreachableError.wrap(error, this.options.connectionString);
    }
  }

  async query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      const result = await this.pool.query(sql, params);
      return result.rows as Record<string, unknown>[];
    } catch (error) {
      throw WarehouseUnreachableError.wrap(error, this.options.connectionString);
    }
  }

  /** Rows as arrays, so columns that share a name are all kept. */
  async queryTable(sql: string, params?: unknown[]): Promise<ResultTable> {
    try {
      const result = await this.pool.query<unknown[]>({ text: sql, values: params, rowMode: 'array' });
      return { columns: result.fields.map((field) => field.name), rows: result.rows };
    } catch (error) {
      throw WarehouseUnreachableError.wrap(error, this.options.connectionString);
    }
  }

  async transaction<T>(work: (tx: PgTransaction) => Promise<T>): Promise<T> {
    this.copyOptions ??= this.query('SHOW server_version_num').then(([row]) =>
      Number(row?.server_version_num) >= 150000 ? CSV_COPY_OPTIONS : CSV_COPY_OPTIONS_PG14,
    );
    const copyOptions = await this.copyOptions.catch((error: unknown) => {
      this.copyOptions = undefined;
      throw error;
    });
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(transactionOn(client, copyOptions));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function transactionOn(client: pg.PoolClient, copyOptions: string): PgTransaction {
  return {
    async query(sql, params) {
      const result = await client.query(sql, params);
      return result.rows as Record<string, unknown>[];
    },
    async copyCsv(table: string, columns: string[], csv: Readable) {
      const copy = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH (${copyOptions})`));
      await pipeline(csv, copy);
      return copy.rowCount;
    },
  };
}
