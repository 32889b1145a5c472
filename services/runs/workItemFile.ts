import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { WorkItem } from '../../shared/messages/workItem';
import type { ObjectStore } from '../../shared/ports/ObjectStore';

/**
 * Where Plan puts a run's work items, for the Distributed Map's ItemReader: JSON Lines, one
 * {@link WorkItem} a line, in plan order (docs/pipeline-contracts.md).
 */
export function workItemsKey(runId: string): string {
  return `runs/${runId}/items.jsonl`;
}

/** Prefix the Distributed Map's ResultWriter writes the run's child-execution results under. */
export function mapResultsPrefix(runId: string): string {
  return `runs/${runId}/map-results`;
}

/** What Plan hands the state machine instead of the items: where they are, and how many. */
export interface WorkItemFile {
  /** Object key of the JSON Lines file (in the lake bucket). */
  key: string;
  /** ResultWriter prefix of the run (the Map writes its results below it). */
  resultsPrefix: string;
  count: number;
  bytes: number;
}

/**
 * Streams the run's work items to {@link workItemsKey} as JSON Lines and returns the reference
 * the state machine carries. Re-writing it (a retried Plan) replaces the file with the same items.
 *
 * @example
 * const file = await writeWorkItems(ctx.ports.objectStore, runId, items);
 * file.key; // 'runs/20260126T120000Z-a1b2c3/items.jsonl'
 */
export async function writeWorkItems(
  store: ObjectStore,
  runId: string,
  items: readonly WorkItem[],
): Promise<WorkItemFile> {
  const key = workItemsKey(runId);
  const lines = Readable.from(
    (function* asLines() {
      for (const item of items) yield `${JSON.stringify(item)}\n`;
    })(),
  );
  const stored = await store.put(key, lines, { contentType: 'application/jsonl' });
  return { key, resultsPrefix: mapResultsPrefix(runId), count: items.length, bytes: stored.bytes };
}

/**
 * Reads a work item file back, one item at a time (the file of a 100,000-item run is ~40 MB;
 * nothing holds it whole).
 *
 * @example
 * for await (const item of readWorkItems(ctx.ports.objectStore, file.key)) console.log(item.label);
 */
export async function* readWorkItems(store: ObjectStore, key: string): AsyncGenerator<WorkItem> {
  const lines = createInterface({ input: await store.get(key), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as WorkItem;
}

/**
 * Every item of a work item file, for callers that need the list (tests, small runs).
 *
 * @example
 * const items = await listWorkItems(ctx.ports.objectStore, (await plan(ctx, { client: 'acme' })).items.key);
 */
export async function listWorkItems(store: ObjectStore, key: string): Promise<WorkItem[]> {
  const items: WorkItem[] = [];
  for await (const item of readWorkItems(store, key)) items.push(item);
  return items;
}
