import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redshiftDialect } from '../../../services/loader/warehouse/redshift/redshiftDialect';
import type { LoadRequest, TableSpec } from '../../../shared/ports/Warehouse';
import { redshiftLoadStatements } from '../../../services/loader/warehouse/redshift/redshiftLoadStatements';
import { tableSql } from '../../../services/loader/sql/tableSql';
import { csvText, type CsvValue } from './support/writeCleanBatch';
import { SOURCE_ORDER_COLUMN } from '../../../shared/messages/cleanReady';

const DATABASE_URL = process.env.DIF_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `dif_rs_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const ROLE = 'arn:aws:iam::123456789012:role/dif-copy';

/**
 * Runs the Redshift load batch on PostgreSQL where the dialects agree: everything but the COPY
 * (replaced by a PostgreSQL COPY of the same CSV into the same staging table) and GETDATE()
 * (shimmed). Proves the guarded apply, ledger row and exactly-once behaviour of the SQL itself.
 */
describe('Redshift load SQL on PostgreSQL', () => {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  const spec = (table: string): TableSpec => ({
    schema,
    table,
    columns: [
      { name: 'day', type: 'date' },
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'varchar(32)' },
    ],
    primaryKey: ['id'],
  });

  beforeAll(async () => {
    await client.connect();
    await client.query(tableSql.createSchema(schema));
    await client.query(`CREATE FUNCTION "${schema}".getdate() RETURNS timestamptz LANGUAGE sql AS 'SELECT now()'`);
    await client.query(`SET search_path TO "${schema}", public`);
    await client.query(tableSql.createLedger(schema));
  });
  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  /** Runs the batch as Redshift would (one transaction) and returns each statement's row count. */
  async function runBatch(request: LoadRequest, rows: CsvValue[][]): Promise<number[]> {
    const plan = redshiftLoadStatements(request, {
      manifestUri: 's3://dif-lake/clean/x-manifest.json',
      copyRoleArn: ROLE,
    });
    const counts: number[] = [];
    await client.query('BEGIN');
    try {
      for (const [i, sql] of plan.sqls.entries()) {
        if (i === plan.copyIndex) {
          const table = /^COPY (\S+) \(([^)]*)\)/.exec(sql)!;
          // The CSV has the columns the COPY names: the declared ones, then the source order if any.
          const names = table[2]!.split(', ').map((name) => name.replace(/"/g, ''));
          const copy = client.query(
            copyFrom(`COPY ${table[1]} (${table[2]}) FROM STDIN WITH (FORMAT csv, HEADER MATCH, NULL '\\N')`),
          );
          await pipeline(
            Readable.from([
              csvText(
                names,
                rows.map((row) => row.slice(0, names.length)),
              ),
            ]),
            copy,
          );
          counts.push(copy.rowCount);
        } else {
          counts.push((await client.query(sql)).rowCount ?? 0);
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    return [counts[plan.insertIndex]!, counts[plan.ledgerIndex]!];
  }

  const table = async (name: string) =>
    (await client.query(`SELECT day::text AS day, id::int AS id, name FROM "${schema}"."${name}" ORDER BY id`)).rows;

  it('merges exactly once, deduplicating staged keys', async () => {
    await client.query(tableSql.createTable(spec('merged'), redshiftDialect, true));
    const first: LoadRequest = { batchId: 'b1-merge', table: spec('merged'), mode: 'merge', manifestKey: 'k' };
    expect(
      await runBatch(first, [
        ['2026-01-01', 1, 'a'],
        ['2026-01-01', 2, 'b'],
      ]),
    ).toEqual([2, 1]);
    const second: LoadRequest = { ...first, batchId: 'b2-merge' };
    expect(
      await runBatch(second, [
        ['2026-01-02', 2, 'b2'],
        ['2026-01-02', 2, 'b2'],
        ['2026-01-02', 3, 'c'],
      ]),
    ).toEqual([2, 1]);
    // The same batch again (a loader that passed the ledger check before the other committed).
    expect(
      await runBatch(second, [
        ['2026-01-09', 2, 'changed'],
        ['2026-01-09', 4, 'new'],
      ]),
    ).toEqual([0, 0]);
    expect(await table('merged')).toEqual([
      { day: '2026-01-01', id: 1, name: 'a' },
      { day: '2026-01-02', id: 2, name: 'b2' },
      { day: '2026-01-02', id: 3, name: 'c' },
    ]);
    expect(
      (await client.query(`SELECT rows::int AS rows FROM dif_load_ledger WHERE batch_id = 'b2-merge'`)).rows,
    ).toEqual([{ rows: 2 }]);
  });

  it('keeps the last row of a duplicated key in source order, whatever order COPY stores the rows in', async () => {
    await client.query(tableSql.createTable(spec('latest'), redshiftDialect, true));
    // As the transformer writes a merge table (clean CSV format 2): each row ends with its source position.
    const inSource: CsvValue[][] = [
      ['2026-01-01', 1, 'first'],
      ['2026-01-01', 2, 'only'],
      ['2026-01-02', 1, 'second'],
      ['2026-01-03', 1, 'last'],
    ].map((row, i) => [...row, i + 1]);
    const [a, b, c, d] = inSource;
    // A Redshift COPY reads the parts in parallel slices: any stored order is possible.
    const storedOrders = { source: inSource, reversed: [d, c, b, a], shuffled: [c, a, d, b] };
    for (const [order, stored] of Object.entries(storedOrders)) {
      const request: LoadRequest = {
        batchId: `b-latest-${order}`,
        table: spec('latest'),
        mode: 'merge',
        manifestKey: 'k',
        sourceOrder: SOURCE_ORDER_COLUMN,
      };
      expect(await runBatch(request, stored as CsvValue[][]), order).toEqual([2, 1]);
      expect(await table('latest'), order).toEqual([
        { day: '2026-01-03', id: 1, name: 'last' },
        { day: '2026-01-01', id: 2, name: 'only' },
      ]);
    }
    // The source-order column is staged, never loaded into the table.
    const columns = await client.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'latest' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.rows.map((row: { column_name: string }) => row.column_name)).toEqual(['day', 'id', 'name']);
  });

  it('appends and replaces partitions exactly once', async () => {
    await client.query(tableSql.createTable(spec('daily'), redshiftDialect, false));
    const append: LoadRequest = { batchId: 'b1-append', table: spec('daily'), mode: 'append', manifestKey: 'k' };
    expect(
      await runBatch(append, [
        ['2026-01-01', 1, 'a'],
        ['2026-01-02', 2, 'b'],
        ['2026-01-03', 3, 'c'],
      ]),
    ).toEqual([3, 1]);
    expect(await runBatch(append, [['2026-01-01', 1, 'a']])).toEqual([0, 0]);
    const replace: LoadRequest = {
      batchId: 'b2-replace',
      table: spec('daily'),
      mode: 'replace_partition',
      partition: { column: 'day' },
      manifestKey: 'k',
    };
    expect(
      await runBatch(replace, [
        ['2026-01-02', 5, 'b2'],
        ['2026-01-03', 6, 'c2'],
      ]),
    ).toEqual([2, 1]);
    const explicit: LoadRequest = {
      ...replace,
      batchId: 'b3-replace',
      partition: { column: 'day', from: '2026-01-01', to: '2026-01-02' },
    };
    expect(await runBatch(explicit, [['2026-01-01', 7, 'a3']])).toEqual([1, 1]);
    expect(await table('daily')).toEqual([
      { day: '2026-01-03', id: 6, name: 'c2' },
      { day: '2026-01-01', id: 7, name: 'a3' },
    ]);
  });

  it('skips an older extraction of the same item as superseded, in every mode, leaving the newer rows', async () => {
    await client.query(tableSql.createTable(spec('ordered'), redshiftDialect, true));
    await client.query(tableSql.createTable(spec('ordered_log'), redshiftDialect, false));
    const at = (time: string) => ({ itemId: 'item-7', extractedAt: `2026-01-08T${time}Z` });
    const newer: LoadRequest = {
      batchId: 'item-7-newer',
      table: spec('ordered'),
      mode: 'merge',
      manifestKey: 'k',
      ordering: at('07:00:00.000'),
    };
    expect(await runBatch(newer, [['2026-01-08', 1, 'fresh']])).toEqual([1, 1]);
    // The crash leftover: extracted an hour earlier, delivered after.
    const older: LoadRequest = { ...newer, batchId: 'item-7-older', ordering: at('06:00:00.000') };
    expect(await runBatch(older, [['2026-01-08', 1, 'stale']])).toEqual([0, 0]);
    const olderAppend: LoadRequest = { ...older, table: spec('ordered_log'), mode: 'append' };
    expect(await runBatch(olderAppend, [['2026-01-08', 1, 'stale']])).toEqual([0, 0]);
    expect(await table('ordered')).toEqual([{ day: '2026-01-08', id: 1, name: 'fresh' }]);
    expect(await table('ordered_log')).toEqual([]);
    // A later extraction still loads, and another item is not affected by item-7's ledger rows.
    const later: LoadRequest = { ...newer, batchId: 'item-7-later', ordering: at('08:00:00.000') };
    expect(await runBatch(later, [['2026-01-08', 1, 'fresher']])).toEqual([1, 1]);
    const other: LoadRequest = {
      ...older,
      batchId: 'item-8-old',
      ordering: { itemId: 'item-8', extractedAt: '2026-01-01T00:00:00.000Z' },
    };
    expect(await runBatch(other, [['2026-01-08', 2, 'other']])).toEqual([1, 1]);
    expect(
      (
        await client.query(
          `SELECT batch_id, item_id, extracted_at = '2026-01-08 08:00:00+00'::timestamptz AS latest FROM dif_load_ledger WHERE item_id = 'item-7' ORDER BY extracted_at`,
        )
      ).rows,
    ).toEqual([
      { batch_id: 'item-7-newer', item_id: 'item-7', latest: false },
      { batch_id: 'item-7-later', item_id: 'item-7', latest: true },
    ]);
  });
});
