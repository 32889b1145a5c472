import { join } from 'node:path';
import { SqliteRunStateStore } from '../../../shared/adapters/local/SqliteRunStateStore';
import type { ItemPatch, ItemStage, RunRecord, RunStateStore } from '../../../shared/ports';

/** One item's history: the stages it went through, `stepMs` apart, then its final counters. */
export interface SeedItem {
  itemId: string;
  client: string;
  source: string;
  stream: string;
  partition: string;
  stages: ItemStage[];
  /** Milliseconds between consecutive stages (default 1000). */
  stepMs?: number;
  /** Offset of the first stage from the run's start (default 0). */
  offsetMs?: number;
  final?: ItemPatch;
}

/**
 * Writes a run and its items into `<dataDir>/state.db` through the real SqliteRunStateStore,
 * with a clock that walks each item through its stages at the given times.
 */
export async function seedRun(dataDir: string, run: RunRecord, items: SeedItem[]): Promise<void> {
  await seedRunWith((now) => SqliteRunStateStore.open(join(dataDir, 'state.db'), { now }), run, items);
}

/** {@link seedRun} into any run-state store, opened with the walking clock. */
export async function seedRunWith(
  open: (now: () => Date) => RunStateStore & { close?(): Promise<void> },
  run: RunRecord,
  items: SeedItem[],
): Promise<void> {
  let clock = Date.parse(run.startedAt);
  const store = open(() => new Date(clock));
  try {
    await store.createRun(run);
    for (const item of items) {
      const identity = { client: item.client, source: item.source, stream: item.stream, partition: item.partition };
      clock = Date.parse(run.startedAt) + (item.offsetMs ?? 0);
      for (const [index, stage] of item.stages.entries()) {
        const last = index === item.stages.length - 1;
        await store.updateItem(run.runId, item.itemId, {
          ...identity,
          stage,
          attempts: 1,
          ...(last ? item.final : {}),
        });
        clock += item.stepMs ?? 1000;
      }
    }
  } finally {
    await store.close?.();
  }
}

export const FULL_PIPELINE: ItemStage[] = [
  'planned',
  'extracting',
  'extracted',
  'transforming',
  'transformed',
  'loading',
  'loaded',
];
