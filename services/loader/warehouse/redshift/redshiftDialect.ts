import type { ParsedColumnType } from '../../../../shared/config/columnType';
import type { TableSpec } from '../../../../shared/ports/Warehouse';
import { columnList } from '../../sql/tableSql';
import { quoteIdentifier } from '../../sql/quoteIdentifier';
import type { WarehouseDialect } from '../../sql/WarehouseDialect';
import { standardColumnType } from '../../sql/standardColumnType';

/**
 * Amazon Redshift: json is `SUPER`; ALTER COLUMN TYPE only lengthens a varchar; tables get the
 * stream's DISTKEY/SORTKEY; temp tables live until the session ends (the load drops its own);
 * COPY stores rows in no order it can report.
 *
 * @example
 * tableSql.createTable(spec, redshiftDialect, true);
 */
export const redshiftDialect: WarehouseDialect = {
  name: 'Redshift',
  columnType: (type: ParsedColumnType) => standardColumnType(type) ?? 'super',
  catalogTypes: { super: 'super' },
  canAlterType: (from, to) => from.kind === 'varchar' && to.kind === 'varchar',
  tableOptions(spec: TableSpec): string {
    let options = '';
    if (spec.distKey) options += ` DISTSTYLE KEY DISTKEY (${quoteIdentifier(spec.distKey, 'dist_key')})`;
    if (spec.sortKey && spec.sortKey.length > 0) options += ` COMPOUND SORTKEY (${columnList(spec.sortKey)})`;
    return options;
  },
  stagingOptions: '',
};
