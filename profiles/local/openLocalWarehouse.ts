import { join } from 'node:path';
import type { ObjectStore, Warehouse } from '../../shared/ports';
import type { TabularQuery } from '../../services/loader/warehouse/postgres/types';
import { WAREHOUSE_TEMPLATE_DIR } from '../../cli/paths';

/**
 * The local profile's warehouse: a PostgreSQL server when DATABASE_URL is given, else PGlite in the
 * data directory. Only the chosen adapter is loaded (`pg` alone took ~40 ms to load, for nothing).
 */
export async function openLocalWarehouse(
  dataDir: string,
  databaseUrl: string | undefined,
  objectStore: ObjectStore,
): Promise<Warehouse & TabularQuery> {
  if (databaseUrl) {
    const { PostgresWarehouse } = await import('../../services/loader/warehouse/postgres/PostgresWarehouse');
    return new PostgresWarehouse({ connectionString: databaseUrl, objectStore });
  }
  const { PgliteWarehouse } = await import('../../services/loader/warehouse/postgres/PgliteWarehouse');
  return PgliteWarehouse.open({
    dataDir: join(dataDir, 'warehouse'),
    templateDir: WAREHOUSE_TEMPLATE_DIR,
    objectStore,
  });
}
