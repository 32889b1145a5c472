import { createHash } from 'node:crypto';
import { z } from 'zod';

export const MESSAGE_VERSION = 1;

/**
 * One unit of delivery: a client × source × stream × partition. Plan emits these; the Map
 * state runs one per item. `itemId` is deterministic so a re-run of the same partition has
 * the same id.
 */
export const workItem = z.strictObject({
  v: z.literal(MESSAGE_VERSION),
  runId: z.string().min(1),
  itemId: z.string().min(1),
  client: z.string().min(1),
  source: z.string().min(1),
  stream: z.string().min(1),
  /** `all` for an unpartitioned stream, else e.g. `account=12/date=2026-01-01`. */
  partition: z.string().min(1),
  /** The partition's values, readable by templates as {{ partition.NAME }} / {{ slice.* }}. */
  partitionValues: z.record(z.string(), z.string()).default({}),
  /** Shown in the Step Functions console for the Map iteration. */
  label: z.string(),
  runtime: z.enum(['lambda', 'ecs']).default('lambda'),
  /** `async` items go StartJob → Wait → PollJob before Extract downloads the report. */
  extraction: z.enum(['sync', 'async']).default('sync'),
});
export type WorkItem = z.infer<typeof workItem>;

/** The deterministic id of an item: a short hash of what it extracts. */
export function itemIdOf(client: string, source: string, stream: string, partition: string): string {
  return createHash('sha256').update([client, source, stream, partition].join('\u0000')).digest('hex').slice(0, 16);
}

/** The fields of a work item, in the schema's order: what every pipeline message carries for its item. */
export const WORK_ITEM_FIELDS = Object.keys(workItem.shape) as (keyof WorkItem)[];

/**
 * The work item a pipeline message carries (RawReady and CleanReady extend it), read by the
 * schema's own field list: a stage that passes the item on copies no field by hand, so a field
 * added to the work item travels through every stage.
 *
 * @example
 * const next: CleanReady = cleanReady.parse({ ...workItemOf(rawReadyMessage), kind: 'clean-ready', … });
 */
export function workItemOf(message: WorkItem): WorkItem {
  return Object.fromEntries(WORK_ITEM_FIELDS.map((field) => [field, message[field]])) as WorkItem;
}
