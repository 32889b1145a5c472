import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { ObjectStore } from '../../../../shared/ports/ObjectStore';
import type { LoadRequest, LoadResult, Warehouse } from '../../../../shared/ports/Warehouse';
import { BadLoadDataError } from '../../errors';
import { planSchemaChange } from '../../sql/planSchemaChange';
import { LEDGER_ORDERING_COLUMNS, LEDGER_TABLE, tableSql } from '../../sql/tableSql';
import { qualifiedName } from '../../sql/quoteIdentifier';
import { existingColumn, type CatalogColumn } from '../../sql/warehouseTypes';
import { redshiftLoadStatements, redshiftTimestamp } from './redshiftLoadStatements';
import { RedshiftStatementError } from './RedshiftStatementError';
import { RedshiftStatementRunner, type PollOptions, type RedshiftTarget } from './RedshiftStatementRunner';
import { isoTimestamp } from '../isoTimestamp';
import { validateLoadRequest } from '../validateLoadRequest';
import { redshiftDialect } from './redshiftDialect';

export interface RedshiftWarehouseOptions extends RedshiftTarget {
  client: RedshiftDataClient;
  /** The S3 object store the clean parts live in: `uri(key)` gives the `s3://…` COPY source. */
  objectStore: ObjectStore;
  /** IAM role Redshift assumes to read the parts from S3 (`IAM_ROLE` of COPY). */
  copyRoleArn: string;
  poll?: PollOptions;
}

/**
 * Amazon Redshift through the Data API (no drivers, no VPC connection from Lambda). Each load:
 * DDL (create or evolve the table; Redshift only widens varchar), a ledger look-up, then one
 * BatchExecuteStatement transaction — COPY from the manifest into a temp table, LOCK, guarded
 * apply, ledger row — polled with back-off. A COPY that fails on bad data becomes a
 * {@link BadLoadDataError} with the rows of sys_load_error_detail.
 *
 * @example
 * const warehouse = new RedshiftWarehouse({ client: new RedshiftDataClient({}), workgroupName: 'dif', database: 'dev', copyRoleArn, objectStore });
 */
export class RedshiftWarehouse implements Warehouse {
  private readonly runner: RedshiftStatementRunner;
  /** Table shapes already created/evolved by this process (a warm Lambda skips the DDL round trips). */
  private readonly ensured = new Set<string>();

  constructor(private readonly options: RedshiftWarehouseOptions) {
    this.runner = new RedshiftStatementRunner(options.client, options, options.poll);
  }

  async load(request: LoadRequest): Promise<LoadResult> {
    validateLoadRequest(request);
    const shape = JSON.stringify(request.table);
    if (!this.ensured.has(shape)) {
      await this.ensureTable(request);
      this.ensured.add(shape);
    }
    const previous = await this.ledgerRows(request);
    if (previous !== undefined) return { status: 'already_loaded', rowsLoaded: previous };
    // Checked again inside the batch (under the table locks); this look only saves an unneeded COPY.
    const newer = await this.newerBatch(request);
    if (newer) return { status: 'superseded', rowsLoaded: 0, supersededBy: newer };

    const plan = redshiftLoadStatements(request, {
      manifestUri: this.options.objectStore.uri(request.manifestKey),
      copyRoleArn: this.options.copyRoleArn,
    });
    let finished;
    try {
      finished = await this.runner.batch(
        plan.sqls,
        `dif-load-${request.table.schema}.${request.table.table}`.slice(0, 500),
      );
    } catch (error) {
      // The table may have been changed or dropped behind this process's back: check it again next time.
      this.ensured.delete(shape);
      throw await this.explain(error, request);
    }
    const sub = finished.SubStatements ?? [];
    if (sub[plan.ledgerIndex]?.ResultRows === 0) {
      // Another loader committed this batch, or a later one of its item, while this one waited for the lock: nothing changed.
      const rows = await this.ledgerRows(request);
      if (rows !== undefined) return { status: 'already_loaded', rowsLoaded: rows };
      const newerNow = await this.newerBatch(request);
      if (newerNow) return { status: 'superseded', rowsLoaded: 0, supersededBy: newerNow };
      return { status: 'already_loaded', rowsLoaded: 0 };
    }
    return { status: 'loaded', rowsLoaded: sub[plan.insertIndex]?.ResultRows ?? 0 };
  }

  query(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    // The port speaks PostgreSQL's $1…; the Data API names its parameters (:p1…).
    const named = sql.replace(/\$(\d+)/g, (_, n: string) => `:p${n}`);
    return this.runner.rows(named, Object.fromEntries(params.map((value, i) => [`p${i + 1}`, String(value)])));
  }

  async close(): Promise<void> {
    // The Data API is stateless HTTP: nothing to release.
  }

  private async ensureTable(request: LoadRequest): Promise<void> {
    const spec = request.table;
    await this.runner.execute(tableSql.createSchema(spec.schema));
    await this.runner.execute(tableSql.createLedger(spec.schema));
    await this.upgradeLedger(spec.schema);
    const catalog = (await this.runner.rows(tableSql.selectColumns.replace('$1', ':schema').replace('$2', ':table'), {
      schema: spec.schema,
      table: spec.table,
    })) as unknown as CatalogColumn[];
    if (catalog.length === 0) {
      await this.runner.execute(tableSql.createTable(spec, redshiftDialect, true));
      return;
    }
    // ALTER COLUMN TYPE cannot run inside a transaction block in Redshift: one statement each.
    for (const change of planSchemaChange(
      spec,
      catalog.map((row) => existingColumn(row, redshiftDialect)),
      redshiftDialect,
    )) {
      await this.runner.execute(tableSql.alter(spec, change, redshiftDialect));
    }
  }

  /** The latest batch of the request's item extracted after it, if one is loaded. */
  private async newerBatch(request: LoadRequest): Promise<{ batchId: string; extractedAt: string } | undefined> {
    if (!request.ordering) return undefined;
    const rows = await this.runner.rows(
      `SELECT batch_id, extracted_at FROM ${qualifiedName(request.table.schema, LEDGER_TABLE)} WHERE item_id = :item_id AND extracted_at > CAST(:extracted_at AS timestamptz) ORDER BY extracted_at DESC LIMIT 1`,
      { item_id: request.ordering.itemId, extracted_at: redshiftTimestamp(request.ordering.extractedAt) },
    );
    const row = rows[0];
    return row ? { batchId: String(row.batch_id), extractedAt: isoTimestamp(row.extracted_at) } : undefined;
  }

  private async ledgerRows(request: LoadRequest): Promise<number | undefined> {
    const rows = await this.runner.rows(
      `SELECT rows FROM ${qualifiedName(request.table.schema, LEDGER_TABLE)} WHERE batch_id = :batch_id`,
      { batch_id: request.batchId },
    );
    return rows[0] ? Number(rows[0].rows) : undefined;
  }

  /** Adds the ordering columns to a ledger created before they existed (Redshift has no ADD COLUMN IF NOT EXISTS). */
  private async upgradeLedger(schema: string): Promise<void> {
    const catalog = await this.runner.rows(tableSql.selectColumns.replace('$1', ':schema').replace('$2', ':table'), {
      schema,
      table: LEDGER_TABLE,
    });
    const present = new Set(catalog.map((row) => String(row.column_name)));
    for (const column of LEDGER_ORDERING_COLUMNS) {
      if (!present.has(column.name)) await this.runner.execute(tableSql.addLedgerColumn(schema, column));
    }
  }

  /** Turns a failed COPY into a permanent bad-data error with Redshift's own load-error rows. */
  private async explain(error: unknown, request: LoadRequest): Promise<unknown> {
    if (!(error instanceof RedshiftStatementError) || error.status !== 'FAILED') return error;
    const isLoadError = /sys_load_error_detail|stl_load_errors|Load into table/i.test(error.detail);
    if (!isLoadError) return error;
    const table = `${request.table.schema}.${request.table.table}`;
    let details: string[] = [];
    if (error.queryId !== undefined) {
      const rows = await this.runner
        .rows(
          'SELECT file_name, line_number, column_name, error_code, error_message, raw_field_value FROM sys_load_error_detail WHERE query_id = :query_id ORDER BY line_number LIMIT 5',
          { query_id: String(error.queryId) },
        )
        .catch(() => []);
      details = rows.map(
        (row) =>
          `${String(row.file_name ?? '').trim()} line ${row.line_number}, column ${String(row.column_name ?? '').trim()}: ${String(row.error_message ?? '').trim()} (code ${row.error_code}, value "${String(row.raw_field_value ?? '').trim()}")`,
      );
    }
    const detail = details.length > 0 ? `${error.detail}; sys_load_error_detail: ${details.join(' | ')}` : error.detail;
    return new BadLoadDataError(table, request.batchId, `COPY failed: ${detail}`, { cause: error });
  }
}
