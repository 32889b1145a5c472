import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import type { LoadRequest } from '../../../shared/ports/Warehouse';
import { RedshiftWarehouse } from '../../../services/loader/warehouse/redshift/RedshiftWarehouse';
import { RedshiftStatementError } from '../../../services/loader/warehouse/redshift/RedshiftStatementError';
import {
  BadLoadDataError,
  DestructiveSchemaChangeError,
  InvalidLoadRequestError,
} from '../../../services/loader/errors';

const redshift = mockClient(RedshiftDataClient);
const objectStore = { uri: (key: string) => `s3://dif-lake/${key}` } as unknown as ObjectStore;
const ROLE = 'arn:aws:iam::123456789012:role/dif-copy';

const request: LoadRequest = {
  batchId: 'abc123-0011223344556677',
  mode: 'merge',
  manifestKey: 'clean/acme/ads/daily/dt=2026-01-01,2026-01-07/run=r1/abc123-manifest.json',
  table: {
    schema: 'acme',
    table: 'daily',
    columns: [
      { name: 'day', type: 'date' },
      { name: 'campaign_id', type: 'bigint' },
      { name: 'name', type: 'varchar(64)' },
    ],
    primaryKey: ['day', 'campaign_id'],
    distKey: 'campaign_id',
    sortKey: ['day'],
  },
};

const CURRENT_LEDGER = ['batch_id', 'table_name', 'rows', 'loaded_at', 'item_id', 'extracted_at'].map((name) => ({
  column_name: name,
}));

/** A scripted Data API: statement ids map to DescribeStatement answers, queries to result rows. */
function script(
  options: {
    catalog?: Record<string, unknown>[];
    ledger?: number[];
    /** Columns of dif_load_ledger in the catalog (default: an up-to-date ledger). */
    ledgerCatalog?: Record<string, unknown>[];
    /** Rows of the "later batch of the same item" look-up, in order. */
    newer?: Record<string, unknown>[][];
    batch?: Record<string, unknown>;
    polls?: number;
    other?: Record<string, unknown>[];
  } = {},
) {
  const executed: { sql: string; params?: unknown }[] = [];
  const descriptions = new Map<string, Record<string, unknown>>();
  const results = new Map<string, Record<string, unknown>[]>();
  let ids = 0;
  let ledgerQueries = 0;
  let newerQueries = 0;
  let pending = options.polls ?? 0;
  redshift.on(ExecuteStatementCommand).callsFake((input: { Sql: string; Parameters?: unknown }) => {
    const id = `s${++ids}`;
    executed.push({ sql: input.Sql, params: input.Parameters });
    const ofLedger = JSON.stringify(input.Parameters ?? []).includes('"dif_load_ledger"');
    if (input.Sql.includes('information_schema.columns'))
      results.set(id, ofLedger ? (options.ledgerCatalog ?? CURRENT_LEDGER) : (options.catalog ?? []));
    else if (input.Sql.includes('WHERE item_id = :item_id')) results.set(id, options.newer?.[newerQueries++] ?? []);
    else if (input.Sql.includes('dif_load_ledger" WHERE batch_id')) {
      const rows = options.ledger?.[ledgerQueries++];
      results.set(id, rows === undefined ? [] : [{ rows }]);
    } else if (options.other && /^SELECT/.test(input.Sql)) results.set(id, options.other);
    descriptions.set(id, { Id: id, Status: 'FINISHED', HasResultSet: results.has(id) });
    return { Id: id };
  });
  redshift.on(BatchExecuteStatementCommand).callsFake((input: { Sqls: string[] }) => {
    executed.push({ sql: `BATCH\n${input.Sqls.join('\n')}` });
    descriptions.set('batch', { Id: 'batch', Status: 'FINISHED', ...options.batch });
    return { Id: 'batch' };
  });
  redshift.on(DescribeStatementCommand).callsFake((input: { Id: string }) => {
    if (input.Id === 'batch' && pending > 0) {
      pending -= 1;
      return { Id: 'batch', Status: 'STARTED' };
    }
    return descriptions.get(input.Id);
  });
  redshift.on(GetStatementResultCommand).callsFake((input: { Id: string }) => {
    const rows = results.get(input.Id) ?? [];
    const names = Object.keys(rows[0] ?? {});
    return {
      ColumnMetadata: names.map((name) => ({ name })),
      Records: rows.map((row) =>
        names.map((name) =>
          row[name] === null
            ? { isNull: true }
            : typeof row[name] === 'number'
              ? { longValue: row[name] }
              : { stringValue: String(row[name]) },
        ),
      ),
    };
  });
  return executed;
}

describe('RedshiftWarehouse', () => {
  const sleeps: number[] = [];
  const warehouse = () =>
    new RedshiftWarehouse({
      client: new RedshiftDataClient({ region: 'eu-west-1' }),
      objectStore,
      workgroupName: 'dif',
      database: 'dev',
      copyRoleArn: ROLE,
      poll: { initialDelayMs: 100, maxDelayMs: 300, sleep: async (ms) => void sleeps.push(ms) },
    });

  beforeEach(() => {
    redshift.reset();
    sleeps.length = 0;
  });

  it('creates the table with DISTKEY/SORTKEY, then COPYs and merges in one polled batch', async () => {
    const executed = script({
      polls: 3,
      batch: { SubStatements: [{}, {}, {}, {}, { ResultRows: 42 }, { ResultRows: 1 }, {}] },
    });
    expect(await warehouse().load(request)).toEqual({ status: 'loaded', rowsLoaded: 42 });
    expect(sleeps).toEqual([100, 160, 256]);
    const sqls = executed.map((entry) => entry.sql);
    const catalog =
      'SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position';
    expect(sqls.slice(0, 4)).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "acme"',
      'CREATE TABLE IF NOT EXISTS "acme"."dif_load_ledger" (batch_id varchar(256) NOT NULL PRIMARY KEY, table_name varchar(256) NOT NULL, rows bigint NOT NULL, loaded_at timestamptz NOT NULL, item_id varchar(256), extracted_at timestamptz)',
      catalog,
      catalog,
    ]);
    expect(executed[2]?.params).toEqual([
      { name: 'schema', value: 'acme' },
      { name: 'table', value: 'dif_load_ledger' },
    ]);
    expect(executed[3]?.params).toEqual([
      { name: 'schema', value: 'acme' },
      { name: 'table', value: 'daily' },
    ]);
    expect(sqls[4]).toBe(
      'CREATE TABLE IF NOT EXISTS "acme"."daily" ("day" date, "campaign_id" bigint, "name" varchar(64), PRIMARY KEY ("day", "campaign_id")) DISTSTYLE KEY DISTKEY ("campaign_id") COMPOUND SORTKEY ("day")',
    );
    expect(executed[5]?.params).toEqual([{ name: 'batch_id', value: request.batchId }]);
    const batch = sqls[6]!.split('\n').slice(1);
    expect(batch[1]).toBe(
      `COPY "dif_stage_${batch[0]!.match(/dif_stage_(\w+)/)![1]}" ("day", "campaign_id", "name") FROM 's3://dif-lake/clean/acme/ads/daily/dt=2026-01-01,2026-01-07/run=r1/abc123-manifest.json' IAM_ROLE '${ROLE}' CSV GZIP MANIFEST IGNOREHEADER 1 NULL AS '\\\\N' TIMEFORMAT 'auto'`,
    );
    expect(batch[2]).toBe('LOCK TABLE "acme"."dif_load_ledger", "acme"."daily"');
    expect(batch[3]).toMatch(
      /^DELETE FROM "acme"."daily" USING "dif_stage_\w+" AS s WHERE "acme"."daily"."day" = s."day" AND "acme"."daily"."campaign_id" = s."campaign_id" AND NOT EXISTS/,
    );
    expect(batch[4]).toMatch(/ROW_NUMBER\(\) OVER \(PARTITION BY "day", "campaign_id"/);
    expect(batch[5]).toMatch(
      /^INSERT INTO "acme"."dif_load_ledger" .* SELECT 'abc123-0011223344556677', 'acme.daily', .*GETDATE\(\), NULL, NULL WHERE NOT EXISTS/,
    );
    expect(batch[6]).toMatch(/^DROP TABLE "dif_stage_\w+"$/);
    expect(redshift.commandCalls(BatchExecuteStatementCommand)[0]?.args[0].input).toMatchObject({
      WorkgroupName: 'dif',
      Database: 'dev',
    });
  });

  it('skips a batch already in the ledger without running the batch', async () => {
    const executed = script({
      catalog: [
        { column_name: 'day', data_type: 'date' },
        { column_name: 'campaign_id', data_type: 'bigint' },
        { column_name: 'name', data_type: 'character varying', character_maximum_length: 64 },
      ],
      ledger: [42],
    });
    expect(await warehouse().load(request)).toEqual({ status: 'already_loaded', rowsLoaded: 42 });
    expect(executed.some((entry) => entry.sql.startsWith('BATCH'))).toBe(false);
    expect(executed.some((entry) => entry.sql.startsWith('CREATE TABLE IF NOT EXISTS "acme"."daily"'))).toBe(false);
  });

  it('reports already_loaded when a concurrent loader committed the batch while this one waited', async () => {
    script({
      ledger: [undefined as unknown as number, 42],
      batch: { SubStatements: [{}, {}, {}, {}, { ResultRows: 0 }, { ResultRows: 0 }, {}] },
    });
    expect(await warehouse().load(request)).toEqual({ status: 'already_loaded', rowsLoaded: 42 });
  });

  it('adds the ordering columns to a ledger created before they existed', async () => {
    const executed = script({
      ledgerCatalog: ['batch_id', 'table_name', 'rows', 'loaded_at'].map((name) => ({ column_name: name })),
      batch: { SubStatements: [{}, {}, {}, {}, { ResultRows: 1 }, { ResultRows: 1 }, {}] },
    });
    await warehouse().load(request);
    expect(executed.map((entry) => entry.sql).filter((sql) => sql.startsWith('ALTER TABLE'))).toEqual([
      'ALTER TABLE "acme"."dif_load_ledger" ADD COLUMN item_id varchar(256)',
      'ALTER TABLE "acme"."dif_load_ledger" ADD COLUMN extracted_at timestamptz',
    ]);
  });

  const ordered: LoadRequest = {
    ...request,
    ordering: { itemId: 'abc123', extractedAt: '2026-01-08T06:00:00.123Z' },
  };

  it('skips a batch older than the last one loaded for its item as superseded, before any COPY', async () => {
    const executed = script({ newer: [[{ batch_id: 'abc123-newer', extracted_at: '2026-01-08 07:00:00+00' }]] });
    expect(await warehouse().load(ordered)).toEqual({
      status: 'superseded',
      rowsLoaded: 0,
      supersededBy: { batchId: 'abc123-newer', extractedAt: '2026-01-08T07:00:00.000Z' },
    });
    expect(executed.some((entry) => entry.sql.startsWith('BATCH'))).toBe(false);
    expect(executed.find((entry) => entry.sql.includes('WHERE item_id = :item_id'))?.params).toEqual([
      { name: 'item_id', value: 'abc123' },
      { name: 'extracted_at', value: '2026-01-08 06:00:00.123+00' },
    ]);
  });

  it('guards every write of an ordered batch with "no later extraction of the item is loaded"', async () => {
    const executed = script({
      newer: [[], [{ batch_id: 'abc123-newer', extracted_at: '2026-01-08 07:00:00+00' }]],
      batch: { SubStatements: [{}, {}, {}, {}, { ResultRows: 0 }, { ResultRows: 0 }, {}] },
    });
    // A newer batch committed while this one waited for the table locks: nothing applied.
    expect(await warehouse().load(ordered)).toMatchObject({ status: 'superseded', rowsLoaded: 0 });
    const batch = executed
      .find((entry) => entry.sql.startsWith('BATCH'))!
      .sql.split('\n')
      .slice(1);
    const guard = `NOT EXISTS (SELECT 1 FROM "acme"."dif_load_ledger" WHERE item_id = 'abc123' AND extracted_at > '2026-01-08 06:00:00.123+00'::timestamptz)`;
    for (const write of [batch[3], batch[4], batch[5]]) expect(write).toContain(guard);
    expect(batch[5]).toContain(`GETDATE(), 'abc123', '2026-01-08 06:00:00.123+00'::timestamptz WHERE`);
  });

  it('widens varchar with ALTER and refuses what Redshift cannot alter', async () => {
    const executed = script({
      catalog: [
        { column_name: 'day', data_type: 'date' },
        { column_name: 'campaign_id', data_type: 'integer' },
        { column_name: 'name', data_type: 'character varying', character_maximum_length: 20 },
      ],
    });
    const error = await warehouse()
      .load(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DestructiveSchemaChangeError);
    expect((error as Error).message).toMatch('column "campaign_id" is integer but is now declared bigint');
    redshift.reset();
    const again = script({
      catalog: [
        { column_name: 'day', data_type: 'date' },
        { column_name: 'campaign_id', data_type: 'bigint' },
        { column_name: 'name', data_type: 'character varying', character_maximum_length: 20 },
      ],
      batch: { SubStatements: [{}, {}, {}, {}, { ResultRows: 1 }, { ResultRows: 1 }, {}] },
    });
    await warehouse().load(request);
    expect(again.map((entry) => entry.sql)).toContain(
      'ALTER TABLE "acme"."daily" ALTER COLUMN "name" TYPE varchar(64)',
    );
    expect(executed.length).toBeGreaterThan(0);
  });

  it('turns a failed COPY into a permanent error with the failing statement and sys_load_error_detail rows', async () => {
    script({
      other: [
        {
          file_name: 's3://dif-lake/part-0.csv.gz ',
          line_number: 3,
          column_name: 'campaign_id ',
          error_code: 1207,
          error_message: "Invalid digit, Value 'x'",
          raw_field_value: 'x1',
        },
      ],
      batch: {
        Status: 'FAILED',
        Error: 'batch failed',
        SubStatements: [
          { Status: 'FINISHED' },
          {
            Status: 'FAILED',
            QueryString: 'COPY "dif_stage_x" …',
            RedshiftQueryId: 777,
            Error:
              "ERROR: Load into table 'dif_stage_x' failed. Check 'sys_load_error_detail' system table for details.",
          },
        ],
      },
    });
    const error = await warehouse()
      .load(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadLoadDataError);
    expect((error as Error).message).toMatch(
      /COPY failed: .*Load into table 'dif_stage_x' failed.*sys_load_error_detail: s3:\/\/dif-lake\/part-0.csv.gz line 3, column campaign_id: Invalid digit, Value 'x' \(code 1207, value "x1"\)/,
    );
    const lookup = redshift
      .commandCalls(ExecuteStatementCommand)
      .find((call) => call.args[0].input.Sql?.includes('sys_load_error_detail'));
    expect(lookup?.args[0].input.Parameters).toEqual([{ name: 'query_id', value: '777' }]);
  });

  it('surfaces an aborted or failing non-COPY statement as a retryable error naming it', async () => {
    script({
      batch: {
        Status: 'ABORTED',
        SubStatements: [
          { Status: 'FINISHED' },
          { Status: 'FINISHED' },
          { Status: 'ABORTED', QueryString: 'LOCK TABLE "acme"."dif_load_ledger", "acme"."daily"' },
        ],
      },
    });
    const error = await warehouse()
      .load(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedshiftStatementError);
    expect((error as Error).message).toBe(
      'Redshift statement ABORTED: the statement was aborted (cancelled or its session ended) — in: LOCK TABLE "acme"."dif_load_ledger", "acme"."daily"',
    );
  });

  it('refuses values it would have to splice into COPY unsafely', async () => {
    script();
    await expect(warehouse().load({ ...request, batchId: "abc'; drop table x; --" })).rejects.toBeInstanceOf(
      InvalidLoadRequestError,
    );
  });

  it('needs exactly one of a cluster or a workgroup, and passes IAM dbUser for clusters', async () => {
    expect(
      () =>
        new RedshiftWarehouse({ client: new RedshiftDataClient({}), objectStore, database: 'dev', copyRoleArn: ROLE }),
    ).toThrow(/exactly one of clusterIdentifier/);
    script({ other: [{ n: 1 }] });
    const cluster = new RedshiftWarehouse({
      client: new RedshiftDataClient({ region: 'eu-west-1' }),
      objectStore,
      clusterIdentifier: 'c1',
      dbUser: 'loader',
      database: 'dev',
      copyRoleArn: ROLE,
    });
    expect(await cluster.query('SELECT $1::int AS n', [1])).toEqual([{ n: 1 }]);
    expect(redshift.commandCalls(ExecuteStatementCommand)[0]?.args[0].input).toMatchObject({
      ClusterIdentifier: 'c1',
      DbUser: 'loader',
      Sql: 'SELECT :p1::int AS n',
      Parameters: [{ name: 'p1', value: '1' }],
    });
  });
});

describe('RedshiftWarehouse DDL cache', () => {
  it('runs the DDL once per table shape in a warm process, and again after a failed load', async () => {
    redshift.reset();
    const batch = { SubStatements: [{}, {}, {}, {}, { ResultRows: 1 }, { ResultRows: 1 }, {}] };
    const executed = script({ batch });
    const warehouse = new RedshiftWarehouse({
      client: new RedshiftDataClient({ region: 'eu-west-1' }),
      objectStore,
      workgroupName: 'dif',
      database: 'dev',
      copyRoleArn: ROLE,
      poll: { sleep: async () => undefined },
    });
    await warehouse.load(request);
    await warehouse.load({ ...request, batchId: 'abc123-second' });
    expect(executed.filter((entry) => entry.sql.startsWith('CREATE SCHEMA'))).toHaveLength(1);
    redshift.reset();
    const failing = script({
      batch: {
        Status: 'FAILED',
        SubStatements: [
          { Status: 'FAILED', Error: 'relation "acme.daily" does not exist', QueryString: 'LOCK TABLE …' },
        ],
      },
    });
    await expect(warehouse.load({ ...request, batchId: 'abc123-third' })).rejects.toThrow(
      /relation "acme.daily" does not exist — in: LOCK TABLE/,
    );
    await warehouse.load({ ...request, batchId: 'abc123-fourth' }).catch(() => undefined);
    expect(failing.filter((entry) => entry.sql.startsWith('CREATE SCHEMA'))).toHaveLength(1);
  });
});
