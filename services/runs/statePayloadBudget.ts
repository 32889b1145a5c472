import type { WorkItem } from '../../shared/messages/workItem';
import { PermanentError } from '../../shared/runtime/errors';

/** Step Functions' cap on any state's input or output: 256 KiB of UTF-8 JSON. */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/**
 * What the per-item flow adds to an item's state as it runs: the report job (id, status text,
 * attempts), the loader's delivery counts (tables, rows, child tables) or an error with its cause.
 * Measured: 0.3–2 KiB; a long failure cause from a platform can be longer, hence the margin.
 */
export const ITEM_STATE_RESERVE_BYTES = 16 * 1024;

/** One work item would not fit through its child execution's state. */
export class WorkItemTooLargeError extends PermanentError {
  constructor(
    readonly label: string,
    readonly estimatedBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'Plan.WorkItemTooLarge',
      `work item ${label} takes ${Math.ceil(estimatedBytes / 1024)} KiB of state in its child execution (with room for its job and delivery), above Step Functions' ${Math.floor(limitBytes / 1024)} KiB state payload limit: its partition values are too long. Shorten the values the stream's partition takes from the client config (clients/*.yml), or split them across more partitions`,
    );
    this.name = 'WorkItemTooLargeError';
  }
}

/**
 * The guard that replaced the run-wide one when items moved to S3 (DESIGN.md §8): Plan's own
 * output is now a reference of constant size, and no state carries the item list or the Map's
 * results, so the number of items no longer matters. What still reaches a state is one item, as
 * the input of its child execution ({item, label, job, ecsSubnets}) growing by what the flow
 * adds; an item whose partition values are huge would fail its execution midway, so Plan refuses
 * it up front, naming it.
 *
 * @example
 * for (const item of items) assertItemFitsState(item, ecsSubnets, STATE_PAYLOAD_LIMIT_BYTES);
 */
export function assertItemFitsState(item: WorkItem, ecsSubnets: readonly string[], limitBytes: number): void {
  const input = { label: item.label, item, job: null, ecsSubnets };
  const bytes = Buffer.byteLength(JSON.stringify(input)) + ITEM_STATE_RESERVE_BYTES;
  if (bytes > limitBytes) throw new WorkItemTooLargeError(item.label, bytes, limitBytes);
}
