import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { ObjectStore } from '../../../../shared/ports/ObjectStore';
import type { LoadRequest, LoadResult, TableSpec } from '../../../../shared/ports/Warehouse';
import { BadLoadDataError } from '../../errors';
import { planSchemaChange } from '../../sql/planSchemaChange';
import { qualifiedName, quoteIdentifier } from '../../sql/quoteIdentifier';
import { lastRowPerKey } from '../../sql/lastRowPerKey';
import { columnList, LEDGER_ORDERING_COLUMNS, LEDGER_TABLE, stagingTableName, tableSql } from '../../sql/tableSql';
import { existingColumn, type CatalogColumn } from '../../sql/warehouseTypes';
import { isoTimestamp } from '../isoTimestamp';
import { readManifestKeys } from '../readManifestKeys';
import type { LoadHooks, PgTransaction, PgTransactor } from './types';
import { postgresDialect } from './postgresDialect';
import { validateLoadRequest } from '../validateLoadRequest';

/**
 * Creates or evolves the target table (and the schema and its load ledger) in its own short
 * transaction, serialised per schema with an advisory lock so concurrent loaders never race on
 * CREATE/ALTER.
 */
export async function ensurePostgresTable(db: PgTransactor, spec: TableSpec, primaryKey: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(`schema:${spec.schema}`)]);
    await tx.query(tableSql.createSchema(spec.schema));
    await tx.query(tableSql.createLedger(spec.schema));
    await upgradeLedger(tx, spec.schema);
    const rows = (await tx.query(tableSql.selectColumns, [spec.schema, spec.table])) as unknown as CatalogColumn[];
    if (rows.length === 0) {
      await tx.query(tableSql.createTable(spec, postgresDialect, primaryKey));
      return;
    }
    for (const change of planSchemaChange(
      spec,
      rows.map((row) => existingColumn(row, postgresDialect)),
      postgresDialect,
    )) {
      await tx.query(tableSql.alter(spec, change, postgresDialect));
    }
  });
}

/** Adds the ordering columns (and their index) to a ledger created before they existed. */
async function upgradeLedger(tx: PgTransaction, schema: string): Promise<void> {
  const present = new Set(
    (await tx.query(tableSql.selectColumns, [schema, LEDGER_TABLE])).map((row) => String(row.column_name)),
  );
  for (const column of LEDGER_ORDERING_COLUMNS) {
    if (!present.has(column.name)) await tx.query(tableSql.addLedgerColumn(schema, column));
  }
  await tx.query(
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${LEDGER_TABLE}_item`)} ON ${qualifiedName(schema, LEDGER_TABLE)} (item_id, extracted_at)`,
  );
}

/** Thrown inside the load transaction to roll back the claim of a batch that turned out superseded. */
class Superseded extends Error {
  constructor(readonly by: { batchId: string; extractedAt: string }) {
    super(`superseded by ${by.batchId}`);
  }
}

/**
 * Loads one batch exactly once into PostgreSQL or PGlite. In one transaction: with an ordering,
 * lock the item (loads of one partition queue up); claim the batch in `dif_load_ledger` (a
 * concurrent or earlier claim of the same batch makes this a no-op); with an ordering, give up
 * as `superseded` (rolling the claim back) when the ledger holds a batch of the same item
 * extracted later; COPY
 * every part — straight into the target for `append`, into a temp staging table otherwise — and
 * apply it: merge = delete the staged keys then insert the staged rows deduplicated (the last row
 * of a key in source order wins: {@link lastRowPerKey}); replace_partition = delete the partition range then insert. Merges and partition
 * replacements on one table are serialised with an advisory lock taken after the COPY.
 * A failure anywhere rolls everything back, the staging table with it.
 */
export async function loadPostgresBatch(
  db: PgTransactor,
  objectStore: ObjectStore,
  request: LoadRequest,
  hooks: LoadHooks = {},
): Promise<LoadResult> {
  validateLoadRequest(request);
  const spec = request.table;
  const tableName = `${spec.schema}.${spec.table}`;
  await ensurePostgresTable(db, spec, request.mode === 'merge');
  const keys = await readManifestKeys(objectStore, request.manifestKey);
  try {
    return await db.transaction(async (tx) => {
      const ledger = qualifiedName(spec.schema, LEDGER_TABLE);
      const { ordering } = request;
      if (ordering)
        await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(`item:${spec.schema}.${ordering.itemId}`)]);
      const claimed = await tx.query(
        `INSERT INTO ${ledger} (batch_id, table_name, rows, loaded_at, item_id, extracted_at) VALUES ($1, $2, 0, now(), $3, $4) ON CONFLICT (batch_id) DO NOTHING RETURNING batch_id`,
        [request.batchId, tableName, ordering?.itemId ?? null, ordering?.extractedAt ?? null],
      );
      if (claimed.length === 0) {
        const [row] = await tx.query(`SELECT rows FROM ${ledger} WHERE batch_id = $1`, [request.batchId]);
        return { status: 'already_loaded', rowsLoaded: Number(row?.rows ?? 0) };
      }
      if (ordering) {
        const [newer] = await tx.query(
          `SELECT batch_id, extracted_at FROM ${ledger} WHERE item_id = $1 AND extracted_at > $2::timestamptz ORDER BY extracted_at DESC LIMIT 1`,
          [ordering.itemId, ordering.extractedAt],
        );
        if (newer)
          throw new Superseded({ batchId: String(newer.batch_id), extractedAt: isoTimestamp(newer.extracted_at) });
      }
      const rowsLoaded = await copyAndApply(tx, objectStore, request, keys, hooks);
      await tx.query(`UPDATE ${ledger} SET rows = $2 WHERE batch_id = $1`, [request.batchId, rowsLoaded]);
      return { status: 'loaded', rowsLoaded };
    });
  } catch (error) {
    if (error instanceof Superseded) return { status: 'superseded', rowsLoaded: 0, supersededBy: error.by };
    throw asBadData(error, tableName, request.batchId);
  }
}

async function copyAndApply(
  tx: PgTransaction,
  objectStore: ObjectStore,
  request: LoadRequest,
  keys: string[],
  hooks: LoadHooks,
): Promise<number> {
  const spec = request.table;
  const target = qualifiedName(spec.schema, spec.table);
  const names = spec.columns.map((column) => column.name);
  const list = columnList(names);
  const { sourceOrder } = request;
  const copied = (sourceOrder ? [...names, sourceOrder] : names).map((name) => quoteIdentifier(name, 'column'));
  // Append copies straight into the target, unless the parts carry a source-order column it lacks.
  const staging = request.mode === 'append' && !sourceOrder ? undefined : stagingTableName(request.batchId);
  if (staging) await tx.query(tableSql.createStaging(spec, staging, postgresDialect, sourceOrder));
  const copyTarget = staging ? quoteIdentifier(staging) : target;
  let rowsCopied = 0;
  for (const key of keys) rowsCopied += await tx.copyCsv(copyTarget, copied, await openPart(objectStore, key));
  await hooks.afterCopy?.({ batchId: request.batchId, rowsCopied });
  if (!staging) return rowsCopied;

  const stage = quoteIdentifier(staging);
  // The dedupe sort and the key join spill to disk at the default 4 MB; this transaction only.
  await tx.query(`SET LOCAL work_mem = '${APPLY_WORK_MEM}'`);
  await tx.query(`ANALYZE ${stage}`);
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey(`table:${spec.schema}.${spec.table}`)]);
  if (request.mode === 'merge') {
    const match = spec.primaryKey
      .map((name) => `t.${quoteIdentifier(name)} = s.${quoteIdentifier(name)}`)
      .join(' AND ');
    await tx.query(`DELETE FROM ${target} AS t USING ${stage} AS s WHERE ${match}`);
    const latest = lastRowPerKey({
      stage,
      columns: names,
      keys: spec.primaryKey,
      sourceOrder,
      copyOrder: postgresDialect.copyOrder,
    });
    const inserted = await tx.query(
      `WITH d AS (INSERT INTO ${target} (${list}) ${latest} RETURNING 1) SELECT count(*) AS n FROM d`,
    );
    return Number(inserted[0]?.n ?? 0);
  }
  if (request.mode === 'replace_partition') {
    const partition = request.partition!;
    const column = quoteIdentifier(partition.column, 'partition_column');
    if (partition.from !== undefined && partition.to !== undefined) {
      await tx.query(`DELETE FROM ${target} WHERE ${column} BETWEEN $1 AND $2`, [partition.from, partition.to]);
    } else {
      await tx.query(
        `DELETE FROM ${target} WHERE ${column} BETWEEN (SELECT min(${column}) FROM ${stage}) AND (SELECT max(${column}) FROM ${stage})`,
      );
    }
  }
  await tx.query(`INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stage}`);
  return rowsCopied;
}

/** work_mem for the merge/replace step of one load (a constant: never built from input). */
const APPLY_WORK_MEM = '128MB';

/** Streams one gzipped part out of the object store, decompressed. */
async function openPart(objectStore: ObjectStore, key: string): Promise<Readable> {
  const source = await objectStore.get(key);
  // Large output chunks mean fewer, larger CopyData messages to the server.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  source.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', (error) => {
    // Say which part was unreadable: the raw zlib message does not.
    error.message = `part ${key}: ${error.message}`;
  });
  return source.pipe(gunzip);
}

/** A stable signed 64-bit advisory-lock key for a name. */
function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * SQLSTATE class 22 (data exception) and 23 (integrity) come from the data itself and will fail
 * again on retry: report them as permanent with PostgreSQL's position ("COPY …, line 3, column x").
 */
function asBadData(error: unknown, table: string, batchId: string): unknown {
  const { code, where } = error as { code?: unknown; where?: unknown };
  if (typeof code !== 'string' || !/^2[23]/.test(code)) return error;
  const position = typeof where === 'string' && where ? ` (${where.split('\n')[0]})` : '';
  return new BadLoadDataError(table, batchId, `${(error as Error).message}${position}`, { cause: error });
}
