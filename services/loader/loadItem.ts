import type { CleanReady } from '../../shared/messages/cleanReady';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log';
import { advanceCursor } from './advanceCursor';
import { loadRequestFor } from './loadRequestFor';

/** What the loader reports for an item: the task output and the run-state counts. */
export interface LoadItemResult {
  itemId: string;
  /** `schema.table` */
  table: string;
  rowsLoaded: number;
  status: 'loaded' | 'already_loaded';
}

/**
 * Loads one clean batch exactly once and records it: the warehouse load (ledger in the same
 * transaction), then the incremental cursor (only after a commit, and only forward), then the
 * item in run state. A redelivered batch is `already_loaded` and still brings run state up to
 * date, so a DLQ replay after the run ended repairs the record.
 *
 * @example
 * const result = await loadItem(ctx, message); // { itemId, table: 'acme.campaigns', rowsLoaded: 120, status: 'loaded' }
 */
export async function loadItem(ctx: ServiceContext, message: CleanReady): Promise<LoadItemResult> {
  const { runState, warehouse } = ctx.ports;
  const identity = { client: message.client, source: message.source, stream: message.stream, partition: message.partition };
  const request = loadRequestFor(ctx.config, message);
  const table = `${request.table.schema}.${request.table.table}`;
  await runState.updateItem(message.runId, message.itemId, { ...identity, stage: 'loading', table });
  const started = Date.now();
  const result = await warehouse.load(request);
  logger.info(result.status === 'loaded' ? 'batch loaded' : 'batch already loaded; nothing changed', {
    table,
    batchId: message.batchId,
    mode: request.mode,
    rowsLoaded: result.rowsLoaded,
    parts: message.clean.parts,
    durationMs: Date.now() - started,
  });
  if (message.cursor !== undefined && result.status === 'loaded') {
    await advanceCursor(runState, identity, message.cursor, message.runId);
  }
  await runState.updateItem(message.runId, message.itemId, {
    ...identity,
    stage: 'loaded',
    table,
    rowsLoaded: result.rowsLoaded,
    recordsIn: message.recordsIn,
    recordsOut: message.clean.rows,
    recordsRejected: message.rejected,
    // A replayed item that failed before is delivered now: its old error no longer applies.
    error: undefined,
  });
  return { itemId: message.itemId, table, rowsLoaded: result.rowsLoaded, status: result.status };
}
