import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll } from 'vitest';
import { PgliteWarehouse } from '../../../services/loader/warehouse/postgres/PgliteWarehouse';
import { warehouseSuite } from './support/warehouseSuite';

const dataDir = mkdtempSync(join(tmpdir(), 'dif-pglite-'));
// One PGlite instance owns a data directory, so every warehouse of the suite shares it.
const db = new PGlite(dataDir);
// initdb of a fresh data directory takes seconds on a busy machine: wait for it in the hook.
beforeAll(() => db.waitReady);
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

warehouseSuite('PgliteWarehouse (embedded)', () => ({
  concurrent: false,
  // Tiny slices exercise the record-aligned splitting of parts (quoted newlines included).
  open: (store, hooks) => new PgliteWarehouse({ objectStore: store, db, chunkBytes: 40, hooks }),
  dropSchema: async (warehouse, schema) => {
    await warehouse.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  },
}));
