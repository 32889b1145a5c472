import type { CleanReady } from '../../shared/messages/cleanReady';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log';
import { advanceCursor } from './advanceCursor';
import type { LoadRequest, LoadResult, Warehouse } from '../../shared/ports/Warehouse';
import { childLoadRequestFor, loadRequestFor } from './loadRequestFor';
import { itemProgress } from '../../shared/runState/itemProgress';

/** What the loader reports for an item: the task output and the run-state counts. */
export interface LoadItemResult {
  itemId: string;
  /** `schema.table` */
  table: string;
  rowsLoaded: number;
  /** `superseded`: a newer extraction of the item's partition was already loaded, so nothing changed. */
  status: LoadResult['status'];
  /** The stream's child tables, loaded after its own table, each exactly once under its own batch id. */
  children?: { table: string; rowsLoaded: number; status: LoadResult['status'] }[];
}

/**
 * Loads one clean batch exactly once and records it: the warehouse load (ledger in the same
 * transaction), then each child table's (its own ledger row), then the incremental cursor (only
 * after the commits, and only forward), then the item in run state. A redelivered batch is
 * `already_loaded` and still brings run state up to date, so a DLQ replay after the run ended
 * repairs the record; a delivery that died between tables loads only the tables still missing.
 *
 * @example
 * const result = await loadItem(ctx, message); // { itemId, table: 'acme.campaigns', rowsLoaded: 120, status: 'loaded' }
 */
export async function loadItem(ctx: ServiceContext, message: CleanReady): Promise<LoadItemResult> {
  const { runState, warehouse } = ctx.ports;
  const identity = {
    client: message.client,
    source: message.source,
    stream: message.stream,
    partition: message.partition,
  };
  const request = loadRequestFor(ctx.config, message);
  const table = tableName(request);
  const progress = itemProgress(runState, message);
  await progress.loading(table);
  const result = await loadLogged(warehouse, request, message.clean.parts);
  if (result.status === 'superseded') return supersede(ctx, message, table, result);
  const children: NonNullable<LoadItemResult['children']> = [];
  for (const child of message.children ?? []) {
    const childRequest = childLoadRequestFor(ctx.config, message, child);
    const childResult = await loadLogged(warehouse, childRequest, child.clean.parts);
    children.push({ table: tableName(childRequest), rowsLoaded: childResult.rowsLoaded, status: childResult.status });
  }
  // Also when everything was already loaded: a delivery that died after the commits but before
  // this line must still move the cursor. advanceCursor never moves it backwards, so an old replay is harmless.
  if (message.cursor !== undefined) await advanceCursor(runState, identity, message.cursor, message.runId);
  await progress.loaded({
    table,
    rowsLoaded: result.rowsLoaded,
    recordsIn: message.recordsIn,
    recordsOut: message.clean.rows,
    recordsRejected: message.rejected,
    ...(children.length > 0
      ? { childRows: Object.fromEntries(children.map((child) => [child.table, child.rowsLoaded])) }
      : {}),
  });
  return {
    itemId: message.itemId,
    table,
    rowsLoaded: result.rowsLoaded,
    status: result.status,
    ...(children.length > 0 ? { children } : {}),
  };
}

/**
 * The item's batch is older than what its partition already holds: nothing is loaded (its child
 * tables neither: they belong to the same old extraction), the cursor stays, and the item is
 * recorded as `superseded` with the newer batch named.
 */
async function supersede(
  ctx: ServiceContext,
  message: CleanReady,
  table: string,
  result: LoadResult,
): Promise<LoadItemResult> {
  const newer = result.supersededBy;
  await itemProgress(ctx.ports.runState, message).superseded({
    table,
    recordsIn: message.recordsIn,
    recordsOut: message.clean.rows,
    recordsRejected: message.rejected,
    ...(newer ? { supersededBy: `batch ${newer.batchId} extracted at ${newer.extractedAt}` } : {}),
  });
  return { itemId: message.itemId, table, rowsLoaded: 0, status: 'superseded' };
}

async function loadLogged(warehouse: Warehouse, request: LoadRequest, parts: number): Promise<LoadResult> {
  const started = Date.now();
  const result = await warehouse.load(request);
  if (result.status === 'superseded') {
    logger.warn(
      'batch superseded: a newer extraction of this partition is already loaded, so this older batch was skipped and nothing changed',
      {
        table: tableName(request),
        batchId: request.batchId,
        extractedAt: request.ordering?.extractedAt,
        newerBatchId: result.supersededBy?.batchId,
        newerExtractedAt: result.supersededBy?.extractedAt,
      },
    );
    return result;
  }
  logger.info(result.status === 'loaded' ? 'batch loaded' : 'batch already loaded; nothing changed', {
    table: tableName(request),
    batchId: request.batchId,
    mode: request.mode,
    rowsLoaded: result.rowsLoaded,
    parts,
    durationMs: Date.now() - started,
  });
  return result;
}

function tableName(request: LoadRequest): string {
  return `${request.table.schema}.${request.table.table}`;
}
