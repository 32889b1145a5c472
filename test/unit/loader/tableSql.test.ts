import { describe, expect, it } from 'vitest';
import { postgresDialect } from '../../../services/loader/warehouse/postgres/postgresDialect';
import { redshiftDialect } from '../../../services/loader/warehouse/redshift/redshiftDialect';
import { stagingTableName, tableSql } from '../../../services/loader/sql/tableSql';
import { quoteIdentifier } from '../../../services/loader/sql/quoteIdentifier';
import { InvalidIdentifierError } from '../../../services/loader/errors';
import { load } from '../../../shared/config/schema/load';
import type { TableSpec } from '../../../shared/ports/Warehouse';

const spec: TableSpec = {
  schema: 'acme',
  table: 'daily',
  columns: [
    { name: 'day', type: 'date' },
    { name: 'campaign_id', type: 'bigint' },
    { name: 'spend', type: 'decimal(18,6)' },
    { name: 'raw', type: 'super' },
  ],
  primaryKey: ['day', 'campaign_id'],
  distKey: 'campaign_id',
  sortKey: ['day'],
};

describe('tableSql', () => {
  it('spells PostgreSQL DDL with the primary key and without Redshift options', () => {
    expect(tableSql.createTable(spec, postgresDialect, true)).toBe(
      'CREATE TABLE IF NOT EXISTS "acme"."daily" ("day" date, "campaign_id" bigint, "spend" numeric(18,6), "raw" jsonb, PRIMARY KEY ("day", "campaign_id"))',
    );
  });

  it('spells Redshift DDL with SUPER, DISTKEY and SORTKEY', () => {
    expect(tableSql.createTable(spec, redshiftDialect, true)).toBe(
      'CREATE TABLE IF NOT EXISTS "acme"."daily" ("day" date, "campaign_id" bigint, "spend" numeric(18,6), "raw" super, PRIMARY KEY ("day", "campaign_id")) DISTSTYLE KEY DISTKEY ("campaign_id") COMPOUND SORTKEY ("day")',
    );
  });

  it('spells the DIF types in each dialect: json is jsonb in PostgreSQL and SUPER in Redshift', () => {
    const json: TableSpec = { ...spec, columns: [{ name: 'doc', type: 'json' }], primaryKey: [] };
    expect(tableSql.createStaging(json, 'stage', postgresDialect)).toBe(
      'CREATE TEMP TABLE "stage" ("doc" jsonb) ON COMMIT DROP',
    );
    expect(tableSql.createStaging(json, 'stage', redshiftDialect, 'dif_source_row')).toBe(
      'CREATE TEMP TABLE "stage" ("doc" super, "dif_source_row" bigint)',
    );
  });

  it('names staging tables per batch with a safe identifier', () => {
    const name = stagingTableName('item-1/weird "id"');
    expect(quoteIdentifier(name)).toBe(`"${name}"`);
    expect(stagingTableName('a')).not.toBe(stagingTableName('b'));
  });

  it('refuses identifiers that would need escaping', () => {
    expect(() => quoteIdentifier('x"; drop table y; --', 'column')).toThrow(InvalidIdentifierError);
    expect(() => tableSql.createSchema('Acme')).toThrow(/schema "Acme" is not a valid warehouse identifier/);
  });
});

describe('load config', () => {
  it('requires a partition_column for replace_partition', () => {
    const result = load.safeParse({ table: 't', mode: 'replace_partition' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['partition_column']);
    expect(
      load.parse({ table: 't', mode: 'replace_partition', partition_column: 'day', sort_key: ['day'] }),
    ).toMatchObject({ partition_column: 'day' });
  });
});
