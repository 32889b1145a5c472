import type { ParsedColumnType } from '../../../../shared/config/columnType';
import type { WarehouseDialect } from '../../sql/WarehouseDialect';
import { standardColumnType } from '../../sql/standardColumnType';

/**
 * PostgreSQL, and PGlite: json is `jsonb`; ALTER COLUMN TYPE widens anything DIF widens; the
 * staging table drops itself at commit; `ctid` follows COPY order in a fresh staging table.
 *
 * @example
 * tableSql.createTable(spec, postgresDialect, true);
 */
export const postgresDialect: WarehouseDialect = {
  name: 'PostgreSQL',
  columnType: (type: ParsedColumnType) => standardColumnType(type) ?? 'jsonb',
  catalogTypes: { jsonb: 'super', json: 'super' },
  canAlterType: () => true,
  tableOptions: () => '',
  stagingOptions: ' ON COMMIT DROP',
  copyOrder: 'ctid',
};
