import type { LoadRequest } from '../../../../shared/ports/Warehouse';
import { qualifiedName, quoteIdentifier } from '../../sql/quoteIdentifier';
import { lastRowPerKey } from '../../sql/lastRowPerKey';
import { columnList, LEDGER_TABLE, stagingTableName, tableSql } from '../../sql/tableSql';
import { redshiftLiteral } from './redshiftLiteral';
import { redshiftDialect } from './redshiftDialect';
import { InvalidLoadRequestError } from '../../errors';

/** The statements of one Redshift load and where the interesting ones are in the batch. */
export interface RedshiftLoadPlan {
  sqls: string[];
  copyIndex: number;
  /** The INSERT into the target; its ResultRows is the rows loaded. */
  insertIndex: number;
  /** The INSERT into the ledger; 0 result rows means another loader committed the batch first. */
  ledgerIndex: number;
}

export interface RedshiftCopySource {
  /** `s3://bucket/key` of the COPY manifest. */
  manifestUri: string;
  /** IAM role Redshift assumes to read the parts. */
  copyRoleArn: string;
}

/**
 * The statements that load one batch inside a single BatchExecuteStatement transaction: COPY the
 * manifest's parts into a temp staging table (with the batch's source-order column, by which a
 * merge keeps the last row of a key: {@link lastRowPerKey}), LOCK the ledger and the target (concurrent loaders
 * queue here instead of failing with serializable-isolation errors), then delete/insert guarded
 * by "this batch is not in the ledger yet" (and, for an ordered load, "no later extraction of
 * its item is in the ledger": an older batch is superseded) and write the ledger row. A batch
 * committed by a concurrent loader while this one waited for the lock therefore changes nothing.
 * Everything but the COPY also runs on PostgreSQL (checked in the tests).
 *
 * @example
 * redshiftLoadStatements(request, { manifestUri: 's3://lake/clean/…-manifest.json', copyRoleArn }).sqls;
 */
export function redshiftLoadStatements(request: LoadRequest, source: RedshiftCopySource): RedshiftLoadPlan {
  const spec = request.table;
  const target = qualifiedName(spec.schema, spec.table);
  const ledger = qualifiedName(spec.schema, LEDGER_TABLE);
  const stagingName = stagingTableName(request.batchId);
  const stage = quoteIdentifier(stagingName);
  const names = spec.columns.map((column) => column.name);
  const columns = columnList(names);
  const { sourceOrder } = request;
  const copied = columnList(sourceOrder ? [...names, sourceOrder] : names);
  const batchId = redshiftLiteral(request.batchId, 'batch id');
  const tableName = redshiftLiteral(`${spec.schema}.${spec.table}`, 'table name');
  const ordering = orderingOf(request, ledger);
  // Nothing is applied when the batch is in the ledger already, or a later extraction of its item is.
  const notLoaded = `NOT EXISTS (SELECT 1 FROM ${ledger} WHERE batch_id = ${batchId})${ordering ? ` AND ${ordering.notSuperseded}` : ''}`;

  const sqls = [
    tableSql.createStaging(spec, stagingName, redshiftDialect, sourceOrder),
    `COPY ${stage} (${copied}) FROM ${redshiftLiteral(source.manifestUri, 'manifest URI')} IAM_ROLE ${redshiftLiteral(source.copyRoleArn, 'IAM role ARN')} CSV GZIP MANIFEST IGNOREHEADER 1 NULL AS '\\\\N' TIMEFORMAT 'auto'`,
    `LOCK TABLE ${ledger}, ${target}`,
  ];
  let rowsExpression = `(SELECT count(*) FROM ${stage})`;
  if (request.mode === 'merge') {
    const keys = columnList(spec.primaryKey);
    const match = spec.primaryKey
      .map((name) => `${target}.${quoteIdentifier(name)} = s.${quoteIdentifier(name)}`)
      .join(' AND ');
    sqls.push(`DELETE FROM ${target} USING ${stage} AS s WHERE ${match} AND ${notLoaded}`);
    // COPY keeps no file order: without a source-order column (format 1) the row kept is arbitrary.
    const latest = lastRowPerKey({
      stage,
      columns: names,
      keys: spec.primaryKey,
      sourceOrder,
      copyOrder: redshiftDialect.copyOrder,
    });
    sqls.push(`INSERT INTO ${target} (${columns}) SELECT * FROM (${latest}) AS d WHERE ${notLoaded}`);
    rowsExpression = `(SELECT count(*) FROM (SELECT DISTINCT ${keys} FROM ${stage}) AS k)`;
  } else {
    if (request.mode === 'replace_partition') {
      const partition = request.partition!;
      const column = quoteIdentifier(partition.column, 'partition_column');
      const range =
        partition.from !== undefined && partition.to !== undefined
          ? `${redshiftLiteral(partition.from, 'partition bound')} AND ${redshiftLiteral(partition.to, 'partition bound')}`
          : `(SELECT min(${column}) FROM ${stage}) AND (SELECT max(${column}) FROM ${stage})`;
      sqls.push(`DELETE FROM ${target} WHERE ${column} BETWEEN ${range} AND ${notLoaded}`);
    }
    sqls.push(`INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${stage} WHERE ${notLoaded}`);
  }
  const insertIndex = sqls.length - 1;
  sqls.push(
    `INSERT INTO ${ledger} (batch_id, table_name, rows, loaded_at, item_id, extracted_at) SELECT ${batchId}, ${tableName}, ${rowsExpression}, GETDATE(), ${ordering?.itemId ?? 'NULL'}, ${ordering?.extractedAt ?? 'NULL'} WHERE ${notLoaded}`,
  );
  const ledgerIndex = sqls.length - 1;
  sqls.push(`DROP TABLE ${stage}`);
  return { sqls, copyIndex: 1, insertIndex, ledgerIndex };
}

/** The item and extraction time of an ordered load as literals, and the guard "no later extraction of the item is loaded". */
function orderingOf(
  request: LoadRequest,
  ledger: string,
): { itemId: string; extractedAt: string; notSuperseded: string } | undefined {
  if (!request.ordering) return undefined;
  const itemId = redshiftLiteral(request.ordering.itemId, 'item id');
  const extractedAt = `${redshiftLiteral(redshiftTimestamp(request.ordering.extractedAt), 'extraction time')}::timestamptz`;
  return {
    itemId,
    extractedAt,
    notSuperseded: `NOT EXISTS (SELECT 1 FROM ${ledger} WHERE item_id = ${itemId} AND extracted_at > ${extractedAt})`,
  };
}

/** ISO 8601 → `YYYY-MM-DD HH:MM:SS.fff+00`, the timestamptz text Redshift and PostgreSQL both read. */
export function redshiftTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()))
    throw new InvalidLoadRequestError(`extraction time "${iso}" is not an ISO 8601 timestamp`);
  return date.toISOString().replace('T', ' ').replace('Z', '+00');
}
