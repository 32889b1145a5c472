import pg from 'pg';
import { afterAll } from 'vitest';
import { RedshiftWarehouse } from '../../../services/loader/warehouse/redshift/RedshiftWarehouse';
import { RedshiftDataApiOnPostgres } from './support/RedshiftDataApiOnPostgres';
import { warehouseSuite } from './support/warehouseSuite';

const DATABASE_URL = process.env.DIF_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
// The Data API reports timestamps in the session's zone; Redshift's is UTC.
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6, options: '-c TimeZone=UTC' });
pool.on('error', () => undefined);
afterAll(() => pool.end());

warehouseSuite('RedshiftWarehouse (its Data API answered by real PostgreSQL)', () => ({
  concurrent: true,
  checksHeader: false,
  widensNumbers: false,
  open: (store, hooks) => {
    const s3 = RedshiftDataApiOnPostgres.s3Named(store);
    return new RedshiftWarehouse({
      client: new RedshiftDataApiOnPostgres(pool, s3, hooks).asClient(),
      workgroupName: 'dif',
      database: 'test',
      copyRoleArn: 'arn:aws:iam::123456789012:role/dif-copy',
      objectStore: s3,
      poll: { initialDelayMs: 1, maxDelayMs: 5 },
    });
  },
  dropSchema: async (warehouse, schema) => {
    await warehouse.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  },
}));
