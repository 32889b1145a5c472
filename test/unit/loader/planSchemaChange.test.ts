import { describe, expect, it } from 'vitest';
import { postgresDialect } from '../../../services/loader/warehouse/postgres/postgresDialect';
import { redshiftDialect } from '../../../services/loader/warehouse/redshift/redshiftDialect';
import { planSchemaChange, holds } from '../../../services/loader/sql/planSchemaChange';
import { existingColumn } from '../../../services/loader/sql/warehouseTypes';
import { DestructiveSchemaChangeError } from '../../../services/loader/errors';
import type { TableSpec } from '../../../shared/ports/Warehouse';

const spec = (columns: [string, string][]): TableSpec => ({
  schema: 's',
  table: 't',
  columns: columns.map(([name, type]) => ({ name, type })),
  primaryKey: [],
});
const catalog = (
  column_name: string,
  data_type: string,
  length: number | null = null,
  precision: number | null = null,
  scale: number | null = null,
  dialect = postgresDialect,
) =>
  existingColumn(
    {
      column_name,
      data_type,
      character_maximum_length: length,
      numeric_precision: precision,
      numeric_scale: scale,
    },
    dialect,
  );

describe('existingColumn', () => {
  it("reads each dialect's own name for json back as json, and leaves the other's unknown", () => {
    expect(catalog('doc', 'jsonb').type).toEqual({ kind: 'super' });
    expect(catalog('doc', 'super', null, null, null, redshiftDialect).type).toEqual({ kind: 'super' });
    expect(catalog('doc', 'super').type).toBeUndefined();
    expect(catalog('doc', 'jsonb', null, null, null, redshiftDialect).type).toBeUndefined();
  });
});

describe('planSchemaChange', () => {
  const existing = [
    catalog('id', 'integer'),
    catalog('name', 'character varying', 20),
    catalog('spend', 'numeric', null, 18, 6),
    catalog('ratio', 'real'),
  ];

  it('changes nothing when the declared types fit the existing columns', () => {
    expect(
      planSchemaChange(
        spec([
          ['id', 'smallint'],
          ['name', 'varchar(10)'],
          ['spend', 'decimal(10,2)'],
        ]),
        existing,
        postgresDialect,
      ),
    ).toEqual([]);
  });

  it('adds new columns and widens varchar, integers, floats and decimals on PostgreSQL', () => {
    const changes = planSchemaChange(
      spec([
        ['id', 'bigint'],
        ['name', 'varchar(50)'],
        ['spend', 'decimal(20,4)'],
        ['ratio', 'double'],
        ['clicks', 'int'],
      ]),
      existing,
      postgresDialect,
    );
    expect(changes).toEqual([
      { kind: 'widen_column', column: 'id', from: { kind: 'int' }, to: { kind: 'bigint' } },
      {
        kind: 'widen_column',
        column: 'name',
        from: { kind: 'varchar', length: 20 },
        to: { kind: 'varchar', length: 50 },
      },
      // Keeps the 12 integer digits of numeric(18,6)… and the declared 16 of decimal(20,4); scale 6.
      {
        kind: 'widen_column',
        column: 'spend',
        from: { kind: 'decimal', precision: 18, scale: 6 },
        to: { kind: 'decimal', precision: 22, scale: 6 },
      },
      { kind: 'widen_column', column: 'ratio', from: { kind: 'real' }, to: { kind: 'double' } },
      { kind: 'add_column', column: 'clicks', type: { kind: 'int' } },
    ]);
  });

  it('only widens varchar on Redshift and refuses the rest, naming every column', () => {
    expect(planSchemaChange(spec([['name', 'varchar(50)']]), existing, redshiftDialect)).toHaveLength(1);
    const error = (() => {
      try {
        planSchemaChange(
          spec([
            ['id', 'bigint'],
            ['ratio', 'double'],
          ]),
          existing,
          redshiftDialect,
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(DestructiveSchemaChangeError);
    expect((error as Error).message).toMatch(
      /column "id" is integer but is now declared bigint; column "ratio" is real but is now declared double/,
    );
  });

  it('refuses incompatible kinds on every dialect', () => {
    expect(() => planSchemaChange(spec([['name', 'bigint']]), existing, postgresDialect)).toThrow(
      /column "name" is varchar\(20\) but is now declared bigint/,
    );
    expect(() => planSchemaChange(spec([['id', 'date']]), existing, postgresDialect)).toThrow(
      DestructiveSchemaChangeError,
    );
  });

  it('trusts columns of types DIF never creates', () => {
    expect(planSchemaChange(spec([['geo', 'varchar(10)']]), [catalog('geo', 'USER-DEFINED')], postgresDialect)).toEqual(
      [],
    );
  });

  it('knows which types hold which', () => {
    expect(holds({ kind: 'decimal', precision: 18, scale: 6 }, { kind: 'decimal', precision: 14, scale: 1 })).toBe(
      false,
    );
    expect(holds({ kind: 'varchar', length: 65535 }, { kind: 'varchar', length: 65535 })).toBe(true);
    expect(holds({ kind: 'timestamp' }, { kind: 'timestamptz' })).toBe(false);
  });
});
