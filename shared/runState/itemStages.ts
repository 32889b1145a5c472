/**
 * The stages an item of a run passes through, in pipeline order, and what each means: the one
 * list that run state, Finalize, the progress line and the report read. A new stage is one row here
 * (and, for the report, its colour in cli/report/stageStyle.ts, which the compiler asks for).
 */
export const ITEM_STAGES = {
  planned: { meaning: 'waiting to extract', terminal: false, delivered: false },
  extracting: { meaning: 'extracting', terminal: false, delivered: false },
  extracted: { meaning: 'queued for transform', terminal: false, delivered: false },
  transforming: { meaning: 'transforming', terminal: false, delivered: false },
  transformed: { meaning: 'queued for load', terminal: false, delivered: false },
  loading: { meaning: 'loading', terminal: false, delivered: false },
  loaded: { meaning: 'loaded', terminal: true, delivered: true },
  /** Terminal until a replay moves the item on. */
  failed: { meaning: 'failed', terminal: true, delivered: false },
  /**
   * The loader skipped the item's batch because a newer extraction of the same partition was
   * already loaded (a crash leftover or an old dead letter delivered late): settled, nothing lost.
   */
  superseded: { meaning: 'skipped: newer data already loaded', terminal: true, delivered: true },
} as const satisfies Record<string, { meaning: string; terminal: boolean; delivered: boolean }>;

/** Stage an item has reached. */
export type ItemStage = keyof typeof ITEM_STAGES;

/** Stages in pipeline order. */
export const STAGE_ORDER = Object.keys(ITEM_STAGES) as ItemStage[];

/** Stages an item does not leave by itself (loaded, failed, superseded). */
export function isTerminal(stage: ItemStage): boolean {
  return ITEM_STAGES[stage].terminal;
}

/** Stages whose data needs nothing more: loaded, or superseded by newer data already loaded. */
export function isDelivered(stage: ItemStage): boolean {
  return ITEM_STAGES[stage].delivered;
}
