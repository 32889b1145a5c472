import { describe, expect, it } from 'vitest';
import { PostgresWarehouse } from '../../../services/loader/warehouse/postgres/PostgresWarehouse';
import { WarehouseUnreachableError } from '../../../services/loader/warehouse/postgres/WarehouseUnreachableError';
import type { ObjectStore } from '../../../shared/ports';

describe('an unreachable PostgreSQL warehouse', () => {
  it('names the server and what to check, never the password', async () => {
    const warehouse = new PostgresWarehouse({
      connectionString: 'postgresql://loader:s3cret-pw@127.0.0.1:1/analytics',
      objectStore: {} as ObjectStore,
    });
    const failure = await warehouse.query('select 1').catch((error: unknown) => error);
    await warehouse.close();
    expect(failure).toBeInstanceOf(WarehouseUnreachableError);
    expect((failure as Error).message).toContain('loader@127.0.0.1:1/analytics');
    expect((failure as Error).message).toContain('Check DATABASE_URL');
    expect((failure as Error).message).not.toContain('s3cret-pw');
  });

  it('leaves other errors (bad SQL, bad data) as they are', () => {
    const syntax = Object.assign(new Error('syntax error at or near "selec"'), { code: '42601' });
    expect(WarehouseUnreachableError.wrap(syntax, 'postgresql://x@h/db')).toBe(syntax);
  });
});
