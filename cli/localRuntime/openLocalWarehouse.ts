import { join } from 'node:path';
import type { ObjectStore, Warehouse } from '../../shared/ports';
import { PgliteWarehouse } from '../../services/loader/warehouse/PgliteWarehouse';
import { PostgresWarehouse } from '../../services/loader/warehouse/PostgresWarehouse';
import type { TabularQuery } from '../../services/loader/warehouse/types';

/** The local profile's warehouse: a PostgreSQL server when DATABASE_URL is given, else PGlite in the data directory. */
export async function openLocalWarehouse(
  dataDir: string,
  databaseUrl: string | undefined,
  objectStore: ObjectStore,
): Promise<Warehouse & TabularQuery> {
  return databaseUrl
    ? new PostgresWarehouse({ connectionString: databaseUrl, objectStore })
    : PgliteWarehouse.open({ dataDir: join(dataDir, 'warehouse'), objectStore });
}
