import { PostgresWarehouse } from '../../../services/loader/warehouse/postgres/PostgresWarehouse';
import { warehouseSuite } from './support/warehouseSuite';

const DATABASE_URL = process.env.DIF_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

warehouseSuite('PostgresWarehouse (real PostgreSQL)', () => ({
  concurrent: true,
  open: (store, hooks) =>
    new PostgresWarehouse({ objectStore: store, connectionString: DATABASE_URL, maxConnections: 3, hooks }),
  dropSchema: async (warehouse, schema) => {
    await warehouse.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  },
}));
