import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryObjectStore } from '../../../../shared/adapters/local/DirectoryObjectStore';
import type { LoadRequest, TableSpec, Warehouse } from '../../../../shared/ports/Warehouse';
import { BadLoadDataError, DestructiveSchemaChangeError } from '../../../../services/loader/errors';
import type { LoadHooks } from '../../../../services/loader/warehouse/postgres/types';
import { writeCleanBatch, type CsvValue } from './writeCleanBatch';
import { SOURCE_ORDER_COLUMN } from '../../../../shared/messages/cleanReady';

export interface WarehouseFixture {
  /** Opens a warehouse on the fixture's database; several may be open at once. */
  open(store: DirectoryObjectStore, hooks?: LoadHooks): Warehouse;
  /** Drops what a test created in `schema`. */
  dropSchema(warehouse: Warehouse, schema: string): Promise<void>;
  /** Whether two open warehouses run transactions truly concurrently (PostgreSQL) or not (PGlite). */
  concurrent: boolean;
  /** Whether COPY checks the header's column names (PostgreSQL 15+) or only skips it (Redshift). */
  checksHeader?: boolean;
  /** Whether a column's numeric type can be widened in place (PostgreSQL), or only varchar lengths (Redshift). */
  widensNumbers?: boolean;
}

const COLUMNS = [
  { name: 'id', type: 'bigint' },
  { name: 'name', type: 'varchar(20)' },
  { name: 'day', type: 'date' },
  { name: 'spend', type: 'decimal(18,6)' },
];
const NAMES = COLUMNS.map((column) => column.name);

/** The warehouse contract, run against every adapter: PostgreSQL, PGlite, and Redshift (its Data API on PostgreSQL). */
export function warehouseSuite(label: string, fixture: () => WarehouseFixture): void {
  describe(label, () => {
    let dir: string;
    let store: DirectoryObjectStore;
    let warehouse: Warehouse;
    let schema: string;
    let extra: Warehouse[] = [];
    let f: WarehouseFixture;
    let batch = 0;

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'dif-loader-'));
      store = new DirectoryObjectStore(join(dir, 'lake'));
      f = fixture();
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    beforeEach(() => {
      schema = `dif_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
      warehouse = f.open(store);
    });
    afterEach(async () => {
      await f.dropSchema(warehouse, schema);
      for (const other of [warehouse, ...extra]) await other.close();
      extra = [];
    });

    const spec = (overrides: Partial<TableSpec> = {}): TableSpec => ({
      schema,
      table: 'stats',
      columns: COLUMNS,
      primaryKey: ['id'],
      ...overrides,
    });
    const request = async (
      mode: LoadRequest['mode'],
      parts: CsvValue[][][],
      overrides: Partial<LoadRequest> = {},
      columns = NAMES,
    ): Promise<LoadRequest> => {
      const n = ++batch;
      const manifestKey = await writeCleanBatch(store, `clean/${schema}/b${n}`, columns, parts);
      return { batchId: `item-${schema}-${n}`, table: spec(), mode, manifestKey, ...overrides };
    };
    const rows = (
      sql = `SELECT id, name, day::text AS day, spend::text AS spend FROM ${schema}.stats ORDER BY id, day`,
    ) => warehouse.query(sql);

    it('skips a batch extracted before the last one loaded for its item as superseded, in every mode', async () => {
      const at = (time: string) => ({ itemId: `it-${schema}`, extractedAt: `2026-01-08T${time}Z` });
      const newer = await request('merge', [[[1, 'fresh', '2026-01-08', '2']]], { ordering: at('07:00:00.000') });
      expect(await warehouse.load(newer)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      // A crash leftover extracted an hour earlier and delivered after the newer load.
      for (const mode of ['merge', 'append', 'replace_partition'] as const) {
        const older = await request(mode, [[[1, 'stale', '2026-01-08', '1']]], {
          ordering: at('06:00:00.000'),
          ...(mode === 'replace_partition' ? { partition: { column: 'day' } } : {}),
        });
        expect(await warehouse.load(older)).toEqual({
          status: 'superseded',
          rowsLoaded: 0,
          supersededBy: { batchId: newer.batchId, extractedAt: '2026-01-08T07:00:00.000Z' },
        });
        // Not claimed in the ledger: it stays superseded however often it comes again.
        expect(await warehouse.load(older)).toMatchObject({ status: 'superseded' });
      }
      expect(await rows()).toEqual([{ id: expect.anything(), name: 'fresh', day: '2026-01-08', spend: '2.000000' }]);
      // The newer batch redelivered is already loaded; a later extraction loads; another item is independent.
      expect(await warehouse.load(newer)).toEqual({ status: 'already_loaded', rowsLoaded: 1 });
      const later = await request('merge', [[[1, 'fresher', '2026-01-08', '3']]], { ordering: at('08:00:00.000') });
      expect(await warehouse.load(later)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      const otherItem = await request('merge', [[[2, 'other', '2026-01-08', '1']]], {
        ordering: { itemId: `other-${schema}`, extractedAt: '2026-01-01T00:00:00.000Z' },
      });
      expect(await warehouse.load(otherItem)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      expect((await rows()).map((row) => row.name)).toEqual(['fresher', 'other']);
    });

    it('adds the ordering columns to a ledger created before they existed', async () => {
      await warehouse.query(`CREATE SCHEMA ${schema}`);
      await warehouse.query(
        `CREATE TABLE ${schema}.dif_load_ledger (batch_id varchar(256) NOT NULL PRIMARY KEY, table_name varchar(256) NOT NULL, rows bigint NOT NULL, loaded_at timestamptz NOT NULL)`,
      );
      await warehouse.query(`INSERT INTO ${schema}.dif_load_ledger VALUES ('old-batch', 'x.y', 3, now())`);
      const load = await request('merge', [[[1, 'a', '2026-01-01', '1']]], {
        ordering: { itemId: 'it', extractedAt: '2026-01-08T07:00:00.000Z' },
      });
      expect(await warehouse.load(load)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      expect(
        await warehouse.query(
          `SELECT batch_id, item_id, extracted_at IS NOT NULL AS ordered FROM ${schema}.dif_load_ledger ORDER BY batch_id`,
        ),
      ).toEqual([
        { batch_id: load.batchId, item_id: 'it', ordered: true },
        { batch_id: 'old-batch', item_id: null, ordered: false },
      ]);
    });

    it('appends every part and treats a redelivered batch as a no-op', async () => {
      const load = await request('append', [
        [
          [1, 'a,b "q"', '2026-01-01', '1.5'],
          [2, '', '2026-01-02', null],
        ],
        [
          [3, '\\N', '2026-01-03', '0.000001'],
          [4, 'line\nbreak', '2026-01-04', '2'],
        ],
      ]);
      expect(await warehouse.load(load)).toEqual({ status: 'loaded', rowsLoaded: 4 });
      expect(await warehouse.load(load)).toEqual({ status: 'already_loaded', rowsLoaded: 4 });
      expect(await rows()).toEqual([
        { id: expect.anything(), name: 'a,b "q"', day: '2026-01-01', spend: '1.500000' },
        { id: expect.anything(), name: '', day: '2026-01-02', spend: null },
        { id: expect.anything(), name: '\\N', day: '2026-01-03', spend: '0.000001' },
        { id: expect.anything(), name: 'line\nbreak', day: '2026-01-04', spend: '2.000000' },
      ]);
      const second = await request('append', [[[1, 'again', '2026-01-05', '1']]]);
      expect(await warehouse.load(second)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      expect(await warehouse.query(`SELECT count(*)::int AS n FROM ${schema}.stats`)).toEqual([{ n: 5 }]);
      expect(
        await warehouse.query(
          `SELECT batch_id, table_name, rows::int AS rows FROM ${schema}.dif_load_ledger ORDER BY batch_id`,
        ),
      ).toEqual([
        { batch_id: load.batchId, table_name: `${schema}.stats`, rows: 4 },
        { batch_id: second.batchId, table_name: `${schema}.stats`, rows: 1 },
      ]);
    });

    it('merges on the primary key, the last duplicate of a key winning', async () => {
      await warehouse.load(
        await request('merge', [
          [
            [1, 'one', '2026-01-01', '1'],
            [2, 'two', '2026-01-01', '2'],
          ],
        ]),
      );
      const update = await request('merge', [
        [[2, 'two-old', '2026-01-02', '20']],
        [
          [2, 'two-new', '2026-01-02', '21'],
          [3, 'three', '2026-01-02', '3'],
        ],
      ]);
      expect(await warehouse.load(update)).toEqual({ status: 'loaded', rowsLoaded: 2 });
      expect(await warehouse.load(update)).toEqual({ status: 'already_loaded', rowsLoaded: 2 });
      expect((await rows()).map((row) => [Number(row.id), row.name, row.spend])).toEqual([
        [1, 'one', '1.000000'],
        [2, 'two-new', '21.000000'],
        [3, 'three', '3.000000'],
      ]);
    });

    it('merges a batch by its source-order column whatever the file layout, and never loads that column', async () => {
      const numbered = [...NAMES, SOURCE_ORDER_COLUMN];
      // The last row of key 2 in source order (3) sits in the first part: the column decides, not the files.
      const update = await request(
        'merge',
        [
          [[2, 'two-last', '2026-01-02', '22', 3]],
          [
            [2, 'two-first', '2026-01-02', '21', 1],
            [3, 'three', '2026-01-02', '3', 2],
          ],
        ],
        { sourceOrder: SOURCE_ORDER_COLUMN },
        numbered,
      );
      expect(await warehouse.load(update)).toEqual({ status: 'loaded', rowsLoaded: 2 });
      expect((await rows()).map((row) => [Number(row.id), row.name])).toEqual([
        [2, 'two-last'],
        [3, 'three'],
      ]);
      // A table whose load mode changed after the transform: the column is still only staged.
      const appended = await request(
        'append',
        [[[4, 'four', '2026-01-03', '4', 1]]],
        { sourceOrder: SOURCE_ORDER_COLUMN },
        numbered,
      );
      expect(await warehouse.load(appended)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      expect(
        (
          await warehouse.query(
            `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'stats' ORDER BY ordinal_position`,
            [schema],
          )
        ).map((row) => row.column_name),
      ).toEqual(NAMES);
    });

    it('replaces the partition range found in the batch and keeps the other partitions', async () => {
      const partition = { column: 'day' };
      await warehouse.load(
        await request(
          'replace_partition',
          [
            [
              [1, 'a', '2026-01-01', '1'],
              [2, 'b', '2026-01-02', '1'],
              [3, 'c', '2026-01-03', '1'],
            ],
          ],
          { partition },
        ),
      );
      const reextract = await request(
        'replace_partition',
        [
          [
            [5, 'b2', '2026-01-02', '2'],
            [6, 'c2', '2026-01-03', '2'],
          ],
        ],
        { partition },
      );
      expect(await warehouse.load(reextract)).toEqual({ status: 'loaded', rowsLoaded: 2 });
      expect(await warehouse.load(reextract)).toEqual({ status: 'already_loaded', rowsLoaded: 2 });
      expect((await rows()).map((row) => [Number(row.id), row.day])).toEqual([
        [1, '2026-01-01'],
        [5, '2026-01-02'],
        [6, '2026-01-03'],
      ]);
      // An explicit range also clears days the re-extraction no longer returns.
      const explicit = await request('replace_partition', [[[7, 'a3', '2026-01-01', '3']]], {
        partition: { column: 'day', from: '2026-01-01', to: '2026-01-02' },
      });
      await warehouse.load(explicit);
      expect((await rows()).map((row) => [Number(row.id), row.day])).toEqual([
        [6, '2026-01-03'],
        [7, '2026-01-01'],
      ]);
    });

    it('leaves nothing behind when the load dies between COPY and commit, in every mode, then loads on retry', async () => {
      const crashing = f.open(store, { afterCopy: () => Promise.reject(new Error('simulated crash after COPY')) });
      extra.push(crashing);
      await warehouse.load(await request('append', [[[1, 'kept', '2026-01-01', '1']]]));
      for (const mode of ['append', 'merge', 'replace_partition'] as const) {
        const load = await request(
          mode,
          [
            [
              [2, 'lost', '2026-01-01', '1'],
              [1, 'changed', '2026-01-01', '9'],
            ],
          ],
          mode === 'replace_partition' ? { partition: { column: 'day' } } : {},
        );
        await expect(crashing.load(load)).rejects.toThrow('simulated crash after COPY');
        expect((await rows()).map((row) => [Number(row.id), row.name])).toEqual([[1, 'kept']]);
        expect(
          await warehouse.query(`SELECT batch_id FROM ${schema}.dif_load_ledger WHERE batch_id = $1`, [load.batchId]),
        ).toEqual([]);
        expect(
          await warehouse.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'dif_stage_%'`),
        ).toEqual([{ n: 0 }]);
      }
      const retried = await request('merge', [
        [
          [2, 'lost', '2026-01-01', '1'],
          [1, 'changed', '2026-01-01', '9'],
        ],
      ]);
      expect(await warehouse.load(retried)).toEqual({ status: 'loaded', rowsLoaded: 2 });
      expect((await rows()).map((row) => [Number(row.id), row.name])).toEqual([
        [1, 'changed'],
        [2, 'lost'],
      ]);
    });

    for (const mode of ['append', 'merge', 'replace_partition'] as const) {
      it(`loads concurrent ${mode} batches on one table exactly once, duplicates included`, async () => {
        const second = f.open(store);
        extra.push(second);
        const replace = mode === 'replace_partition';
        // merge/append: batch n holds its own key plus key 10 shared by all. replace_partition:
        // every batch re-extracts the same day with its own ids (n1, n2).
        const batchRows = (n: number): CsvValue[][] =>
          replace
            ? [
                [n * 10 + 1, `v${n}`, '2026-01-10', '1'],
                [n * 10 + 2, `v${n}`, '2026-01-10', '1'],
              ]
            : [
                [n, `v${n}`, `2026-01-0${n}`, '1'],
                [10, `shared${n}`, '2026-01-10', '1'],
              ];
        const loads = await Promise.all(
          [1, 2, 3, 4].map((n) => request(mode, [batchRows(n)], replace ? { partition: { column: 'day' } } : {})),
        );
        const results = await Promise.all(
          [...loads, loads[0]!, loads[1]!].map((load, i) => (i % 2 === 0 ? warehouse : second).load(load)),
        );
        expect(results.filter((result) => result.status === 'loaded')).toHaveLength(4);
        expect(results.filter((result) => result.status === 'already_loaded')).toHaveLength(2);
        const loaded = await warehouse.query(
          `SELECT id::int AS id, count(*)::int AS n FROM ${schema}.stats GROUP BY id ORDER BY id`,
        );
        if (replace) {
          // The day holds exactly the rows of whichever batch committed last, never a mix.
          expect(loaded).toHaveLength(2);
          const batchOf = loaded.map((row) => Math.floor(Number(row.id) / 10));
          expect(loaded).toEqual([
            { id: batchOf[0]! * 10 + 1, n: 1 },
            { id: batchOf[0]! * 10 + 2, n: 1 },
          ]);
        } else {
          // Appends keep every shared row; merge keeps the shared key once.
          expect(loaded).toEqual([
            ...[1, 2, 3, 4].map((id) => ({ id, n: 1 })),
            { id: 10, n: mode === 'append' ? 4 : 1 },
          ]);
        }
        expect(await warehouse.query(`SELECT count(*)::int AS n FROM ${schema}.dif_load_ledger`)).toEqual([{ n: 4 }]);
      });
    }

    it('adds new columns and widens types, and refuses destructive changes', async () => {
      await warehouse.load(await request('append', [[[1, 'short', '2026-01-01', '1']]]));
      const widensNumbers = f.widensNumbers !== false;
      const wider = [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: 'varchar(200)' },
        { name: 'day', type: 'date' },
        { name: 'spend', type: widensNumbers ? 'decimal(20,8)' : 'decimal(18,6)' },
        { name: 'clicks', type: 'int' },
      ];
      const bigSpend = widensNumbers ? '123456789012.12345678' : '123456789012.123456';
      const evolved = await request(
        'append',
        [[[2, 'x'.repeat(150), '2026-01-02', bigSpend, 7]]],
        { table: spec({ columns: wider }) },
        wider.map((c) => c.name),
      );
      expect(await warehouse.load(evolved)).toEqual({ status: 'loaded', rowsLoaded: 1 });
      expect(
        await warehouse.query(
          `SELECT id::int AS id, length(name) AS len, spend::text AS spend, clicks FROM ${schema}.stats ORDER BY id`,
        ),
      ).toEqual([
        { id: 1, len: 5, spend: widensNumbers ? '1.00000000' : '1.000000', clicks: null },
        { id: 2, len: 150, spend: bigSpend, clicks: 7 },
      ]);
      if (!widensNumbers) {
        const decimal = wider.map((c) => (c.name === 'spend' ? { ...c, type: 'decimal(20,8)' } : c));
        const refusedDecimal = await request(
          'append',
          [[[9, 'z', '2026-01-09', '1', 1]]],
          {
            table: spec({ columns: decimal }),
          },
          decimal.map((c) => c.name),
        );
        await expect(warehouse.load(refusedDecimal)).rejects.toThrow(
          'column "spend" is numeric(18,6) but is now declared decimal(20,8)',
        );
      }
      // A narrower declaration fits the wider column: nothing to change.
      await warehouse.load(await request('append', [[[3, 'y', '2026-01-03', '1']]]));
      const destructive = [
        { name: 'id', type: 'bigint' },
        { name: 'name', type: 'bigint' },
      ];
      const refused = await request('append', [[[4, 5]]], { table: spec({ columns: destructive }) }, ['id', 'name']);
      const error = await warehouse.load(refused).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DestructiveSchemaChangeError);
      expect((error as Error).message).toMatch(`column "name" is varchar(200) but is now declared bigint`);
      expect(await warehouse.query(`SELECT count(*)::int AS n FROM ${schema}.stats`)).toEqual([{ n: 3 }]);
    });

    it('loads every declared type from its clean CSV spelling', async () => {
      const columns = [
        { name: 'small', type: 'smallint' },
        { name: 'num', type: 'int' },
        { name: 'big', type: 'bigint' },
        { name: 'dbl', type: 'double' },
        { name: 'flt', type: 'real' },
        { name: 'flag', type: 'boolean' },
        { name: 'day', type: 'date' },
        { name: 'at', type: 'timestamp' },
        { name: 'at_tz', type: 'timestamptz' },
        { name: 'doc', type: 'super' },
        { name: 'amount', type: 'decimal(38,10)' },
        { name: 'label', type: 'text' },
      ];
      const load = await request(
        'append',
        [
          [
            [
              1,
              2147483647,
              '9223372036854775807',
              0.1,
              1.5,
              true,
              '2026-02-28',
              '2026-02-28 23:59:59.123456',
              '2026-02-28 23:59:59.123456+00',
              '{"a":[1,"x"]}',
              '1234567890123456789012345678.0123456789',
              'ünïcødé',
            ],
            [null, null, null, null, null, false, null, null, null, null, null, null],
          ],
        ],
        { table: spec({ table: 'typed', columns, primaryKey: [] }) },
        columns.map((column) => column.name),
      );
      expect(await warehouse.load(load)).toEqual({ status: 'loaded', rowsLoaded: 2 });
      const [row, empty] = await warehouse.query(
        `SELECT small, num, big::text AS big, dbl, flt, flag, day::text AS day, at::text AS at, (at_tz AT TIME ZONE 'UTC')::text AS at_tz, doc->>'a' AS doc, amount::text AS amount, label FROM ${schema}.typed ORDER BY flag DESC`,
      );
      expect(row).toEqual({
        small: 1,
        num: 2147483647,
        big: '9223372036854775807',
        dbl: 0.1,
        flt: 1.5,
        flag: true,
        day: '2026-02-28',
        at: '2026-02-28 23:59:59.123456',
        at_tz: '2026-02-28 23:59:59.123456',
        doc: '[1, "x"]',
        amount: '1234567890123456789012345678.0123456789',
        label: 'ünïcødé',
      });
      expect(Object.values(empty!).filter((value) => value !== null)).toEqual([false]);
    });

    it('reports data that does not fit as a permanent error naming the line and column', async () => {
      const load = await request('append', [
        [
          [1, 'ok', '2026-01-01', '1'],
          ['not-a-number', 'bad', '2026-01-01', '1'],
        ],
      ]);
      const error = await warehouse.load(load).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BadLoadDataError);
      expect((error as Error).message).toMatch(/invalid input syntax for type bigint.*line 3, column id/s);
      expect(await warehouse.query(`SELECT count(*)::int AS n FROM ${schema}.dif_load_ledger`)).toEqual([{ n: 0 }]);
      if (f.checksHeader === false) return;
      const header = await request('append', [[[1, 'ok', '2026-01-01', '1']]], {}, ['id', 'label', 'day', 'spend']);
      await expect(warehouse.load(header)).rejects.toBeInstanceOf(BadLoadDataError);
    });
  });
}
