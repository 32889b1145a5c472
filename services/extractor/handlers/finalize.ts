import type { ItemRecord, ItemStage } from '../../../shared/ports/RunStateStore';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';

export interface FailedItem {
  itemId: string;
  label: string;
  stage: ItemStage;
  error: string;
}

/** What Finalize records for a run and returns to the state machine. */
export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  items: { total: number; byStage: Partial<Record<ItemStage, number>> };
  pages: number;
  rawBytes: number;
  records: { in: number; out: number; rejected: number };
  /** Rows loaded in this run per `client.table`. */
  rowsByTable: Record<string, number>;
  failed: FailedItem[];
}

/** A Map iteration's output when its Catch turned a failure into data: `{ itemId?, Error, Cause }`. */
function failureOf(result: unknown): { itemId?: string; cause: string } | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const record = result as Record<string, unknown>;
  const nested = (record.item ?? {}) as Record<string, unknown>;
  const itemId = typeof record.itemId === 'string' ? record.itemId : typeof nested.itemId === 'string' ? nested.itemId : undefined;
  const errorInfo = (record.error ?? record) as Record<string, unknown>;
  if (typeof errorInfo.Error !== 'string' && typeof errorInfo.Cause !== 'string') return undefined;
  let cause = String(errorInfo.Cause ?? errorInfo.Error);
  try {
    // Lambda failures arrive as a JSON document in Cause; keep its message.
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // A plain sentence already.
  }
  return { ...(itemId ? { itemId } : {}), cause };
}

function labelOf(item: ItemRecord): string {
  return `${item.client}/${item.source}/${item.stream}/${item.partition}`;
}

/**
 * The Finalize state: reads every item of the run, records the failures the Map caught, and
 * writes the run summary and status (succeeded only when every item loaded).
 *
 * @example
 * const summary = await finalize(ctx, { runId, results });
 * summary.rowsByTable; // { 'acme.campaigns': 5, … }
 */
export async function finalize(ctx: ServiceContext, input: { runId: string; results: unknown[] }): Promise<RunSummary> {
  const { runState } = ctx.ports;
  for (const result of input.results ?? []) {
    const failure = failureOf(result);
    if (!failure?.itemId) continue;
    const item = await runState.getItem(input.runId, failure.itemId);
    if (item && item.stage !== 'loaded' && !item.error) await runState.updateItem(input.runId, failure.itemId, { stage: 'failed', error: failure.cause });
  }
  const items = await runState.listItems(input.runId);
  const run = await runState.getRun(input.runId);
  const finishedAt = ctx.now();
  const startedAt = run?.startedAt ?? finishedAt.toISOString();
  const summary: RunSummary = {
    runId: input.runId,
    status: 'succeeded',
    startedAt,
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - Date.parse(startedAt)),
    items: { total: items.length, byStage: {} },
    pages: 0,
    rawBytes: 0,
    records: { in: 0, out: 0, rejected: 0 },
    rowsByTable: {},
    failed: [],
  };
  for (const item of items) {
    summary.items.byStage[item.stage] = (summary.items.byStage[item.stage] ?? 0) + 1;
    summary.pages += item.pages ?? 0;
    summary.rawBytes += item.rawBytes ?? 0;
    summary.records.in += item.recordsIn ?? 0;
    summary.records.out += item.recordsOut ?? 0;
    summary.records.rejected += item.recordsRejected ?? 0;
    if (item.rowsLoaded !== undefined) {
      const table = `${item.client}.${item.table ?? item.stream}`;
      summary.rowsByTable[table] = (summary.rowsByTable[table] ?? 0) + item.rowsLoaded;
    }
    if (item.stage !== 'loaded') {
      summary.failed.push({ itemId: item.itemId, label: labelOf(item), stage: item.stage, error: item.error ?? `did not finish (stopped at stage ${item.stage}); see the execution history` });
    }
  }
  if (summary.failed.length > 0 || items.length === 0 && input.results.length > 0) summary.status = 'failed';
  await runState.updateRun(input.runId, { status: summary.status, finishedAt: summary.finishedAt, summary: summary as unknown as Record<string, unknown> });
  return summary;
}
