import type { DifConfig } from '../../../shared/config';
import type { ItemRecord, ItemStage } from '../../../shared/ports/RunStateStore';
import { emptyItemsWarning, tallyItems } from '../../../shared/runState';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { itemProgress } from '../../../shared/runState/itemProgress';

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
  /** `empty`: loaded items whose raw data held no records (their stream's `expect_records` allows it). */
  items: { total: number; byStage: Partial<Record<ItemStage, number>>; empty: number };
  pages: number;
  rawBytes: number;
  records: { in: number; out: number; rejected: number };
  /** Rows loaded in this run per warehouse table (`schema.table`). */
  rowsByTable: Record<string, number>;
  failed: FailedItem[];
  /** What a person should look at although the run succeeded, e.g. items that loaded no records. */
  warnings: string[];
  /**
   * Failed items whose partition has never loaded in any run: data that is missing, not merely
   * stale. The next run plans them again; `dif status` shows them until then.
   */
  gaps?: FailedItem[];
  /** Failed items that `allow_partial` lets the run succeed without. */
  allowedPartial?: number;
  /** For a failed run: the readable Cause the state machine's Fail state shows. */
  failureCause?: string;
}

/** At most this many failed items are spelled out in the execution's Cause; the rest are counted. */
const CAUSE_ITEMS = 10;

/** The failed execution's Cause in the console: which items failed and why, most useful first. */
function failureCause(failed: FailedItem[], total: number, gaps: FailedItem[], mapRunFailure?: string): string {
  const mapLine = mapRunFailure ? [mapRunFailure] : [];
  if (failed.length === 0) return mapLine[0] ?? 'the run failed; see the execution history';
  const listed = failed.slice(0, CAUSE_ITEMS).map((item) => `${item.label}: ${item.error}`);
  const more = failed.length > CAUSE_ITEMS ? [`…and ${failed.length - CAUSE_ITEMS} more (dif runs show <runId>)`] : [];
  const gapLine =
    gaps.length === 0
      ? []
      : [
          `${gaps.length} partition(s) have never loaded (gaps): ${gaps
            .slice(0, CAUSE_ITEMS)
            .map((item) => item.label)
            .join(
              ', ',
            )}${gaps.length > CAUSE_ITEMS ? ', …' : ''}. The next \`dif run\` plans them again; \`dif status\` lists them until then.`,
        ];
  return [`${failed.length} of ${total} items were not delivered.`, ...mapLine, ...listed, ...more, ...gapLine].join(
    '\n',
  );
}

/** `allow_partial` of the item's client × source: true, or a list naming its stream. */
function allowsPartial(config: DifConfig, item: Pick<ItemRecord, 'client' | 'source' | 'stream'>): boolean {
  const setting = config.clients.get(item.client)?.sources[item.source]?.allow_partial;
  return Array.isArray(setting) ? setting.includes(item.stream) : setting === true;
}

/** Failed items whose partition has no successful load on record, in any run. */
async function gapsAmong(ctx: ServiceContext, failed: FailedItem[], items: ItemRecord[]): Promise<FailedItem[]> {
  const byId = new Map(items.map((item) => [item.itemId, item]));
  const loadedByStream = new Map<string, Set<string>>();
  const gaps: FailedItem[] = [];
  for (const problem of failed) {
    const item = byId.get(problem.itemId);
    if (!item) continue;
    const key = `${item.client}/${item.source}/${item.stream}`;
    let loaded = loadedByStream.get(key);
    if (!loaded) {
      const history = await ctx.ports.runState.listPartitionHistory(item);
      loaded = new Set(history.filter((entry) => entry.loadedAt).map((entry) => entry.partition));
      loadedByStream.set(key, loaded);
    }
    if (!loaded.has(item.partition)) gaps.push(problem);
  }
  return gaps;
}

/** Items the Map finished with but that neither loaded nor failed are failed now, so gaps see them. */
async function failUnfinished(ctx: ServiceContext, runId: string, items: ItemRecord[]): Promise<void> {
  for (const item of items)
    await itemProgress(ctx.ports.runState, { runId, itemId: item.itemId }).failedIfUnfinished(item);
}

/**
 * What the Distributed Map state put in `$.mapRun` (statemachines/ingest.asl.yml): the Map Run
 * reference its ResultWriter returns, or the error its Catch caught (the item file unreadable,
 * the results unwritable). Never the items' results: those are in run state, whatever their number.
 */
export type MapRunOutcome =
  { MapRunArn: string; ResultWriterDetails?: Record<string, unknown> } | { Error: string; Cause?: string };

export interface FinalizeInput {
  runId: string;
  mapRun?: MapRunOutcome;
}

/** The Map Run's own failure, as a sentence for the execution's Cause. */
function mapRunFailureOf(input: FinalizeInput): string | undefined {
  const run = input.mapRun;
  if (!run || !('Error' in run)) return undefined;
  return `the Map Run over the work items failed (${run.Error}${run.Cause ? `: ${run.Cause}` : ''}); items it did not start are listed as not finished`;
}

/**
 * The Finalize state: tallies every item of the run from run state — never from the Map's
 * output, which a Distributed Map writes to S3 — and writes the run summary and status:
 * succeeded only when every item loaded, or when every item that did not is allowed to fail by
 * its client's `allow_partial` (its gap is listed, not hidden). An item the Map never finished
 * (its child execution failed, or was never started) is failed here as unfinished.
 *
 * @example
 * const summary = await finalize(ctx, { runId });
 * summary.rowsByTable; // { 'acme.campaigns': 5, … }
 */
export async function finalize(ctx: ServiceContext, input: FinalizeInput): Promise<RunSummary> {
  const { runState } = ctx.ports;
  const mapRunFailure = mapRunFailureOf(input);
  const items = await runState.listItems(input.runId);
  await failUnfinished(ctx, input.runId, items);
  const run = await runState.getRun(input.runId);
  const finishedAt = ctx.now();
  const startedAt = run?.startedAt ?? finishedAt.toISOString();
  const tally = tallyItems(items);
  const failed: FailedItem[] = [
    ...tally.failed.map((problem) => ({
      ...problem,
      error: problem.error ?? 'failed without a recorded error; see the execution history',
    })),
    ...tally.unfinished.map((problem) => ({
      ...problem,
      error: problem.error ?? `did not finish (stopped at stage ${problem.stage}); see the execution history`,
    })),
  ];
  const gaps = await gapsAmong(ctx, failed, items);
  const byId = new Map(items.map((item) => [item.itemId, item]));
  const fatal = failed.filter((problem) => {
    const item = byId.get(problem.itemId);
    return !item || !allowsPartial(ctx.config, item);
  });
  const status = fatal.length > 0 || mapRunFailure ? 'failed' : 'succeeded';
  const summary: RunSummary = {
    runId: input.runId,
    status,
    startedAt,
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - Date.parse(startedAt)),
    items: { total: tally.items, byStage: tally.byStage, empty: tally.empty.length },
    pages: tally.pages,
    rawBytes: tally.rawBytes,
    records: { in: tally.recordsIn, out: tally.recordsOut, rejected: tally.recordsRejected },
    rowsByTable: tally.rowsByTable,
    failed,
    warnings: emptyItemsWarning(tally.empty),
    ...(gaps.length > 0 ? { gaps } : {}),
    ...(failed.length > fatal.length ? { allowedPartial: failed.length - fatal.length } : {}),
    ...(status === 'failed' ? { failureCause: failureCause(fatal, items.length, gaps, mapRunFailure) } : {}),
  };
  await runState.updateRun(input.runId, {
    status: summary.status,
    finishedAt: summary.finishedAt,
    summary: summary as unknown as Record<string, unknown>,
  });
  return summary;
}
