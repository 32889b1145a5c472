import { join } from 'node:path';
import type { Warehouse } from '../../shared/ports';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import type { TabularQuery } from '../../services/loader/warehouse/postgres/types';
import { openLocalWarehouse } from './openLocalWarehouse';
import { DataDirLock } from './DataDirLock';

/**
 * Just the warehouse of a data directory, for `dif sql` (no queues or run state opened). The
 * embedded PGlite warehouse allows one process at a time, so it is opened under the data
 * directory's lock: while a run holds it this fails at once with a message naming the run,
 * instead of opening PGlite a second time (which can lose tables). A PostgreSQL server
 * (`DATABASE_URL`) takes any number of readers and needs no lock.
 *
 * @example
 * const warehouse = await openWarehouseOnly('.dif', undefined, 'dif sql');
 */
export async function openWarehouseOnly(
  dataDir: string,
  databaseUrl: string | undefined,
  command = 'dif sql',
): Promise<Warehouse & TabularQuery> {
  const objectStore = new DirectoryObjectStore(join(dataDir, 'lake'));
  if (databaseUrl) return openLocalWarehouse(dataDir, databaseUrl, objectStore);
  const lock = await DataDirLock.acquire(dataDir, { command });
  try {
    const warehouse = await openLocalWarehouse(dataDir, undefined, objectStore);
    return {
      load: (request) => warehouse.load(request),
      query: (sql, params) => warehouse.query(sql, params),
      queryTable: (sql) => warehouse.queryTable(sql),
      async close() {
        try {
          await warehouse.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
