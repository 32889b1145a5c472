import { lstatSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { PgliteWarehouse } from '../../../services/loader/warehouse/postgres/PgliteWarehouse';

describe('PgliteWarehouse start-up (the local warehouse of npm start)', () => {
  let dir: string;
  let templateDir: string;
  const objectStore = () => new DirectoryObjectStore(join(dir, 'lake'));
  const open = (name: string) =>
    PgliteWarehouse.open({ dataDir: join(dir, name), templateDir, objectStore: objectStore() });

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'dif-pglite-start-')));
    // What `npm run build:cli` makes, plus a mark only a copy of it can carry.
    templateDir = join(dir, 'template');
    const template = await PGlite.create(templateDir);
    await template.exec('create table made_from_template (id int)');
    await template.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a new data directory as a copy of the initialised template instead of running initdb', async () => {
    const warehouse = await open('fresh');
    try {
      const tables = await warehouse.query(`select to_regclass('public.made_from_template')::text as name`);
      expect(tables).toEqual([{ name: 'made_from_template' }]);
    } finally {
      await warehouse.close();
    }
  });

  it('copies a template reached through a symbolic link, never shares it', async () => {
    const link = join(dir, 'template-link');
    symlinkSync(templateDir, link);
    const warehouse = await PgliteWarehouse.open({
      dataDir: join(dir, 'linked'),
      templateDir: link,
      objectStore: objectStore(),
    });
    await warehouse.close();
    expect(lstatSync(join(dir, 'linked')).isSymbolicLink()).toBe(false);
    expect(realpathSync(join(dir, 'linked', 'base'))).toBe(join(dir, 'linked', 'base'));
  });

  it('never replaces a data directory that already holds a database', async () => {
    const first = await open('kept');
    await first.query('create table loaded (id int)');
    await first.query('insert into loaded values (1), (2)');
    await first.close();
    const again = await open('kept');
    try {
      expect(await again.query('select count(*)::int as n from loaded')).toEqual([{ n: 2 }]);
    } finally {
      await again.close();
    }
  });

  it('runs PostgreSQL with buffers sized for a local run, not for a server', async () => {
    const warehouse = await open('settings');
    try {
      const settings = await warehouse.query(
        `select name, current_setting(name) as value from (values ('shared_buffers'), ('max_connections')) as s(name)`,
      );
      expect(settings).toEqual([
        { name: 'shared_buffers', value: '16MB' },
        { name: 'max_connections', value: '4' },
      ]);
    } finally {
      await warehouse.close();
    }
  });
});
