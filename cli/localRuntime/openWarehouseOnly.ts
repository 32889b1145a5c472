import { join } from 'node:path';
import type { Warehouse } from '../../shared/ports';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import type { TabularQuery } from '../../services/loader/warehouse/types';
import { openLocalWarehouse } from './openLocalWarehouse';

/** Just the warehouse of a data directory, for `dif sql` (no queues or run state opened). */
export async function openWarehouseOnly(
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<Warehouse & TabularQuery> {
  return openLocalWarehouse(dataDir, databaseUrl, new DirectoryObjectStore(join(dataDir, 'lake')));
}
