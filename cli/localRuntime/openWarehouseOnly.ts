import { join } from 'node:path';
import type { Warehouse } from '../../shared/ports';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { PgliteWarehouse } from '../../services/loader/warehouse/PgliteWarehouse';
import { PostgresWarehouse } from '../../services/loader/warehouse/PostgresWarehouse';

/** Just the warehouse of a data directory, for `dif sql` (no queues or run state opened). */
export async function openWarehouseOnly(dataDir: string, databaseUrl: string | undefined): Promise<Warehouse> {
  const objectStore = new DirectoryObjectStore(join(dataDir, 'lake'));
  return databaseUrl
    ? new PostgresWarehouse({ connectionString: databaseUrl, objectStore })
    : PgliteWarehouse.open({ dataDir: join(dataDir, 'warehouse'), objectStore });
}
