import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type DescribeStatementCommandOutput,
  type Field,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ObjectStore } from '../../../../shared/ports/ObjectStore';
import { readManifestKeys } from '../../../../services/loader/warehouse/readManifestKeys';
import type { LoadHooks } from '../../../../services/loader/warehouse/postgres/types';

interface Finished {
  described: DescribeStatementCommandOutput;
  rows: Record<string, unknown>[];
  fields: { name: string; dataTypeID: number }[];
}

/**
 * Catalog changes of every emulated warehouse run one at a time, as Redshift serialises them
 * (concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's catalog).
 */
let ddl: Promise<unknown> = Promise.resolve();

/** PostgreSQL type oids the Data API returns as numbers or booleans; everything else is text. */
const LONG = new Set([20, 21, 23]);
const DOUBLE = new Set([700, 701]);
const BOOLEAN = 16;

/**
 * The Redshift Data API answered by a real PostgreSQL, so `RedshiftWarehouse` runs the warehouse
 * contract suite end to end (its DDL, ledger checks and load batch as one transaction). Only what
 * PostgreSQL cannot parse or does otherwise is translated: `:name` parameters, GETDATE(), SUPER
 * (as jsonb), the DISTKEY/SORTKEY clauses, PRIMARY KEY (Redshift does not enforce it), and COPY from an S3 manifest — which reads the parts from the object
 * store *in reverse order*, because a Redshift COPY keeps no file order either. Like Redshift,
 * that COPY skips the header line without checking it, and reports bad data as "Load into table …
 * failed" with the position of the bad value.
 */
export class RedshiftDataApiOnPostgres {
  private readonly statements = new Map<string, Finished>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: ObjectStore,
    private readonly hooks: LoadHooks = {},
  ) {}

  /**
   * An object store that names its objects `s3://dif-lake/{key}`, as RedshiftWarehouse requires of
   * a COPY source, over `store`.
   */
  static s3Named<T extends ObjectStore>(store: T): T {
    const prefix = 's3://dif-lake/';
    return Object.assign(Object.create(store) as T, {
      uri: (key: string) => `${prefix}${key}`,
      keyFromUri: (uri: string) => (uri.startsWith(prefix) ? uri.slice(prefix.length) : store.keyFromUri(uri)),
    });
  }

  /** This emulator as the SDK client type RedshiftWarehouse expects. */
  asClient(): RedshiftDataClient {
    return this as unknown as RedshiftDataClient;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof ExecuteStatementCommand) {
      const { Sql, Parameters } = command.input;
      const values = new Map((Parameters ?? []).map((parameter) => [parameter.name!, parameter.value!]));
      return { Id: this.remember(await this.execute(Sql!, values)) };
    }
    if (command instanceof BatchExecuteStatementCommand)
      return { Id: this.remember(await this.batch(command.input.Sqls!)) };
    if (command instanceof DescribeStatementCommand) return this.finished(command.input.Id!).described;
    if (command instanceof GetStatementResultCommand) {
      const { rows, fields } = this.finished(command.input.Id!);
      return {
        ColumnMetadata: fields.map((field) => ({ name: field.name })),
        Records: rows.map((row) => fields.map((field) => dataApiField(row[field.name], field.dataTypeID))),
      };
    }
    throw new Error(`RedshiftDataApiOnPostgres: ${String((command as object).constructor.name)} is not emulated`);
  }

  private async execute(sql: string, values: Map<string, string>): Promise<Finished> {
    const params: string[] = [];
    const text = translate(sql).replace(/(?<!:):([a-z_]\w*)/g, (_, name: string) => {
      params.push(values.get(name)!);
      return `$${params.length}`;
    });
    const run = async (): Promise<Finished> => {
      try {
        const result = await this.pool.query({ text, values: params, types: RAW_TEXT });
        return {
          described: {
            Id: '',
            Status: 'FINISHED',
            HasResultSet: result.fields.length > 0,
            ResultRows: result.rowCount ?? 0,
          } as DescribeStatementCommandOutput,
          rows: result.rows as Record<string, unknown>[],
          fields: result.fields,
        };
      } catch (error) {
        return failed(sql, (error as Error).message);
      }
    };
    if (!/^\s*(CREATE|ALTER|DROP)\b/i.test(sql)) return run();
    const next = ddl.then(run);
    ddl = next.catch(() => undefined);
    return next;
  }

  /** BatchExecuteStatement: every statement in one transaction, each with its row count. */
  private async batch(sqls: string[]): Promise<Finished> {
    const client = await this.pool.connect();
    const sub: NonNullable<DescribeStatementCommandOutput['SubStatements']> = [];
    try {
      await client.query('BEGIN');
      for (const sql of sqls) {
        try {
          const copy = /^COPY (\S+) \(([^)]*)\) FROM '([^']+)'/.exec(sql);
          const rows = copy
            ? await this.copy(client, copy[1]!, copy[2]!, copy[3]!)
            : await client.query(translate(sql));
          const count = typeof rows === 'number' ? rows : (rows.rowCount ?? 0);
          sub.push({ Id: '', Status: 'FINISHED', ResultRows: count, QueryString: sql });
          if (copy) await this.hooks.afterCopy?.({ batchId: '', rowsCopied: count });
        } catch (error) {
          sub.push({ Id: '', Status: 'FAILED', Error: describeFailure(error, sql), QueryString: sql });
          await client.query('ROLLBACK');
          return failed(sqls[0]!, describeFailure(error, sql), sub);
        }
      }
      await client.query('COMMIT');
      return {
        described: { Id: '', Status: 'FINISHED', SubStatements: sub } as DescribeStatementCommandOutput,
        rows: [],
        fields: [],
      };
    } finally {
      client.release();
    }
  }

  /** COPY … FROM 's3://…manifest' … MANIFEST IGNOREHEADER 1: the parts, last first. */
  private async copy(client: pg.PoolClient, table: string, columns: string, manifestUri: string): Promise<number> {
    const keys = await readManifestKeys(this.store, this.store.keyFromUri(manifestUri));
    let rows = 0;
    for (const key of keys.reverse()) {
      const copy = client.query(
        copyFrom(`COPY ${table} (${columns}) FROM STDIN WITH (FORMAT csv, HEADER true, NULL '\\N')`),
      );
      await pipeline(await this.store.get(key), createGunzip(), copy);
      rows += copy.rowCount;
    }
    return rows;
  }

  private remember(finished: Finished): string {
    const id = randomUUID();
    finished.described.Id = id;
    this.statements.set(id, finished);
    return id;
  }

  private finished(id: string): Finished {
    const finished = this.statements.get(id);
    if (!finished) throw new Error(`no statement ${id}`);
    return finished;
  }
}

/** Redshift SQL that PostgreSQL spells differently. */
function translate(sql: string): string {
  return (
    sql
      .replace(/\bGETDATE\(\)/g, 'now()')
      .replace(/(" |TYPE )super\b/g, '$1jsonb')
      // Redshift keeps a primary key as information only: duplicates of a key append.
      .replace(/, PRIMARY KEY \([^)]*\)/, '')
      .replace(/ DISTSTYLE KEY DISTKEY \([^)]*\)/, '')
      .replace(/ COMPOUND SORTKEY \([^)]*\)/, '')
  );
}

/** A failed COPY reads as Redshift's, with PostgreSQL's position of the bad value. */
function describeFailure(error: unknown, sql: string): string {
  const { message, where } = error as { message: string; where?: string };
  const position = where ? ` (${where.split('\n')[0]})` : '';
  if (!sql.startsWith('COPY ')) return `${message}${position}`;
  return `Load into table '${/^COPY (\S+)/.exec(sql)![1]}' failed. Check 'sys_load_error_detail' system table for details: ${message}${position}`;
}

function failed(sql: string, error: string, sub?: DescribeStatementCommandOutput['SubStatements']): Finished {
  return {
    described: {
      Id: '',
      Status: 'FAILED',
      Error: error,
      QueryString: sql,
      ...(sub ? { SubStatements: sub } : {}),
    } as DescribeStatementCommandOutput,
    rows: [],
    fields: [],
  };
}

/** Every value as PostgreSQL's text, as the Data API sends it (timestamps `2026-01-08 07:00:00+00`). */
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

function dataApiField(value: unknown, dataTypeID: number): Field {
  if (value === null || value === undefined) return { isNull: true };
  const text = String(value);
  if (LONG.has(dataTypeID)) return { longValue: Number(text) };
  if (DOUBLE.has(dataTypeID)) return { doubleValue: Number(text) };
  if (dataTypeID === BOOLEAN) return { booleanValue: text === 't' };
  return { stringValue: text };
}
