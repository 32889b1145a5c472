import type { ItemPatch, ItemRecord, RunStateStore } from '../ports/RunStateStore';
import { isDelivered, isTerminal } from './itemStages';

/** An item as the stages know it: its keys, and its identity when the caller has it (a first write needs it). */
export interface ItemRef {
  runId: string;
  itemId: string;
  client?: string;
  source?: string;
  stream?: string;
  partition?: string;
}

/** Counts of what the transformer read and wrote for an item. */
export interface TransformCounts {
  recordsIn: number;
  recordsOut: number;
  recordsRejected: number;
}

/**
 * Every run-state write of an item's progress, one method per step of the pipeline, so what a
 * step records (its stage, which counters, which error it clears) is written once and a stage's
 * writers cannot disagree. The stages themselves are the table in itemStages.ts.
 *
 * @example
 * const progress = itemProgress(ctx.ports.runState, item);
 * await progress.extracted({ pages: 3, rawBytes: 1024 });
 */
export function itemProgress(runState: RunStateStore, item: ItemRef) {
  const identity: ItemPatch = Object.fromEntries(
    (['client', 'source', 'stream', 'partition'] as const)
      .filter((field) => item[field] !== undefined)
      .map((field) => [field, item[field]]),
  );
  const write = (patch: ItemPatch) => runState.updateItem(item.runId, item.itemId, patch);
  return {
    /** Plan: the item exists, nothing tried yet. */
    planned: () => write({ ...identity, stage: 'planned', attempts: 0 }),

    /** StartJob or Extract begins an attempt: one more attempt, no stale error from the last one. */
    async attemptStarted(): Promise<void> {
      const previous = await runState.getItem(item.runId, item.itemId);
      await write({ ...identity, stage: 'extracting', attempts: (previous?.attempts ?? 0) + 1, error: undefined });
    },

    /** The platform failed a report job and it was created again (`async_job.resubmit`). */
    resubmitted: (times: number) => write({ resubmits: times }),

    extracted: (raw: { pages: number; rawBytes: number }) => write({ stage: 'extracted', ...raw }),

    transforming: () => write({ ...identity, stage: 'transforming', error: undefined }),

    transformed: (counts: TransformCounts & { empty: boolean; table: string | undefined }) =>
      write({
        stage: 'transformed',
        empty: counts.empty ? true : undefined,
        recordsIn: counts.recordsIn,
        recordsOut: counts.recordsOut,
        recordsRejected: counts.recordsRejected,
        table: counts.table,
      }),

    /** A failure the next delivery may get past: the stage stays, so the retry picks up from it. */
    retrying: (error: string) => write({ error }),

    loading: (table: string) => write({ ...identity, stage: 'loading', table }),

    /** Loaded, or replayed and delivered now: an old error no longer applies. */
    loaded: (loaded: TransformCounts & { table: string; rowsLoaded: number; childRows?: Record<string, number> }) =>
      write({ ...identity, stage: 'loaded', ...loaded, error: undefined }),

    /** The partition already holds newer data: nothing loaded, nothing lost. */
    superseded: (skipped: TransformCounts & { table: string; supersededBy?: string }) =>
      write({ ...identity, stage: 'superseded', rowsLoaded: 0, ...skipped, error: undefined }),

    failed: (error: string) => write({ ...identity, stage: 'failed', error }),

    /**
     * The per-item flow caught a failure: recorded unless the item is already delivered, keeping
     * an error a stage recorded itself (it says more than the Catch does).
     */
    async failedUnlessDelivered(cause: string): Promise<void> {
      const recorded = await runState.getItem(item.runId, item.itemId);
      if (recorded && isDelivered(recorded.stage)) return;
      await write({ ...(recorded ? {} : identity), stage: 'failed', ...(recorded?.error ? {} : { error: cause }) });
    },

    /** Finalize: an item the Map finished with that neither delivered nor failed is failed as unfinished. */
    async failedIfUnfinished(recorded: ItemRecord): Promise<void> {
      if (isTerminal(recorded.stage)) return;
      await write({
        stage: 'failed',
        error: recorded.error ?? `did not finish (stopped at stage ${recorded.stage}); see the execution history`,
      });
    },
  };
}

export type ItemProgress = ReturnType<typeof itemProgress>;
