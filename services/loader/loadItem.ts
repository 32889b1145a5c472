import type { CleanReady } from '../../shared/messages/cleanReady';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log';
import { advanceCursor } from './advanceCursor';
import type { LoadRequest, LoadResult, Warehouse } from '../../shared/ports/Warehouse';
import { childLoadRequestFor, loadRequestFor } from './loadRequestFor';

/** What the loader reports for an item: the task output and the run-state counts. */
export interface LoadItemResult {
  itemId: string;
  /** `schema.table` */
  table: string;
  rowsLoaded: number;
  status: 'loaded' | 'already_loaded';
  /** The stream's child tables, loaded after its own table, each exactly once under its own batch id. */
  children?: { table: string; rowsLoaded: number; status: 'loaded' | 'already_loaded' }[];
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
  await runState.updateItem(message.runId, message.itemId, { ...identity, stage: 'loading', table });
  const result = await loadLogged(warehouse, request, message.clean.parts);
  const children: NonNullable<LoadItemResult['children']> = [];
  for (const child of message.children ?? []) {
    const childRequest = childLoadRequestFor(ctx.config, message, child);
    const childResult = await loadLogged(warehouse, childRequest, child.clean.parts);
    children.push({ table: tableName(childRequest), rowsLoaded: childResult.rowsLoaded, status: childResult.status });
  }
  // Also when everything was already loaded: a delivery that died after the commits but before
  // this line must still move the cursor. advanceCursor never moves it backwards, so an old replay is harmless.
  if (message.cursor !== undefined) await advanceCursor(runState, identity, message.cursor, message.runId);
  await runState.updateItem(message.runId, message.itemId, {
    ...identity,
    stage: 'loaded',
    table,
    rowsLoaded: result.rowsLoaded,
    recordsIn: message.recordsIn,
    recordsOut: message.clean.rows,
    recordsRejected: message.rejected,
    ...(children.length > 0
      ? { childRows: Object.fromEntries(children.map((child) => [child.table, child.rowsLoaded])) }
      : {}),
    // A replayed item that failed before is delivered now: its old error no longer applies.
    error: undefined,
  });
  return {
    itemId: message.itemId,
    table,
    rowsLoaded: result.rowsLoaded,
    status: result.status,
    ...(children.length > 0 ? { children } : {}),
  };
}

async function loadLogged(warehouse: Warehouse, request: LoadRequest, parts: number): Promise<LoadResult> {
  const started = Date.now();
  const result = await warehouse.load(request);
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
