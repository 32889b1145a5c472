import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main';
import { runCli } from './support/runCli';

let dir: string;
const dif = (...args: string[]) => runCli(buildProgram, [...args, '--data-dir', join(dir, 'data')]);
const saved = process.env.DATABASE_URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dif-sql-'));
  delete process.env.DATABASE_URL;
  const created = await dif(
    'sql',
    'create table t as select * from (values (1, 10, 100), (2, 20, 200)) as v(id, x, y)',
  );
  expect(created.code).toBe(0);
}, 60_000);

afterAll(() => {
  if (saved !== undefined) process.env.DATABASE_URL = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('dif sql', () => {
  it('--json keeps every column when several share a name (sum, sum → sum, sum_2)', async () => {
    const result = await dif('sql', '--json', 'select count(*), sum(x), sum(y), 7 as sum_2 from t');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ count: 2, sum: 30, sum_2: 300, sum_2_2: 7 }]);
  });

  it('prints every column in the table view too', async () => {
    const result = await dif('sql', 'select sum(x), sum(y) from t');
    expect(result.code).toBe(0);
    const [header = ''] = result.stdout.split('\n');
    expect(header.split(/\s+/).filter(Boolean)).toEqual(['sum', 'sum_2']);
    expect(result.stdout).toMatch(/30\s+300/);
  });
});
