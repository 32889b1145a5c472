import type { LoadRequest } from '../../../shared/ports/Warehouse';
import { InvalidLoadRequestError } from '../errors';
import { quoteIdentifier } from '../sql/quoteIdentifier';
import { declaredType } from '../sql/warehouseTypes';

/**
 * Checks a load request before any SQL runs: identifiers, types, that the key, partition, dist
 * and sort columns are among the declared columns and that the source-order column is not.
 */
export function validateLoadRequest(request: LoadRequest): void {
  const { table } = request;
  const where = `stream table ${table.schema}.${table.table}`;
  quoteIdentifier(table.schema, 'schema');
  quoteIdentifier(table.table, 'table');
  if (table.columns.length === 0)
    throw new InvalidLoadRequestError(`${where}: the batch declares no columns; declare the stream's columns`);
  const names = new Set<string>();
  for (const column of table.columns) {
    quoteIdentifier(column.name, 'column');
    declaredType(column);
    if (names.has(column.name))
      throw new InvalidLoadRequestError(`${where}: column "${column.name}" is declared twice`);
    names.add(column.name);
  }
  const mustBeDeclared = (what: string, columns: string[]) => {
    for (const name of columns) {
      if (!names.has(name))
        throw new InvalidLoadRequestError(
          `${where}: ${what} "${name}" is not a declared column (declared: ${[...names].join(', ')}); fix the stream config`,
        );
    }
  };
  if (request.sourceOrder !== undefined) {
    quoteIdentifier(request.sourceOrder, 'source order column');
    if (names.has(request.sourceOrder))
      throw new InvalidLoadRequestError(
        `${where}: column "${request.sourceOrder}" is declared, but DIF writes that column itself (each row's position in source order); rename the declared column`,
      );
  }
  mustBeDeclared('primary key column', table.primaryKey);
  mustBeDeclared('dist_key', table.distKey ? [table.distKey] : []);
  mustBeDeclared('sort_key column', table.sortKey ?? []);
  if (request.mode === 'merge' && table.primaryKey.length === 0) {
    throw new InvalidLoadRequestError(
      `${where}: merge loads need a primary_key; declare one in the stream config or use mode append`,
    );
  }
  if (request.mode === 'replace_partition') {
    if (!request.partition)
      throw new InvalidLoadRequestError(
        `${where}: replace_partition loads need load.partition_column in the stream config`,
      );
    mustBeDeclared('partition_column', [request.partition.column]);
    if ((request.partition.from === undefined) !== (request.partition.to === undefined)) {
      throw new InvalidLoadRequestError(`${where}: a partition range needs both from and to`);
    }
  }
  if (!/^[\x21-\x7e]{1,256}$/.test(request.batchId))
    throw new InvalidLoadRequestError(
      `batch id "${request.batchId}" must be 1–256 printable ASCII characters without spaces`,
    );
}
