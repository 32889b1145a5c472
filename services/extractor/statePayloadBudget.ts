import { PermanentError } from '../../shared/runtime/errors';
import type { PlanOutput } from './handlers/plan';

/** Step Functions' cap on any state's input or output: 256 KiB of UTF-8 JSON. */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/**
 * What one item's Map result may add beyond its id and label: the loader's counts (table, rows,
 * status, child tables) or an error name with a short cause. Measured delivered results take
 * 150–300 bytes; a long failure cause takes more, which is why this is an estimate, not a bound.
 */
export const RESULT_RESERVE_BYTES = 512;

/** Plan's items would not fit through the Map's state payload. */
export class StatePayloadTooLargeError extends PermanentError {
  constructor(
    readonly items: number,
    readonly estimatedBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      'Plan.StatePayloadTooLarge',
      `the run plans ${items} work items; with their results the Map state would carry about ${Math.ceil(estimatedBytes / 1024)} KiB, above Step Functions' ${Math.floor(limitBytes / 1024)} KiB state payload limit, so the run would fail midway. Narrow the run (\`--client\`, \`--source\`, \`--stream\`), or shorten the clients' date ranges and run the backfill in pieces.`,
    );
    this.name = 'StatePayloadTooLargeError';
  }
}

/**
 * Estimates the largest state payload of the run — the Map's output: Plan's output (the item list)
 * plus one result per item — and throws {@link StatePayloadTooLargeError} before anything is
 * recorded when it would exceed the 256 KiB cap. The inline Map carries the list and its results
 * in state; a Distributed Map that reads items from S3 lifts the limit (DESIGN.md §8).
 *
 * @example
 * assertStatePayloadFits({ runId, items, itemCount: items.length, ecsSubnets: [] }, STATE_PAYLOAD_LIMIT_BYTES);
 */
export function assertStatePayloadFits(output: PlanOutput, limitBytes: number): void {
  let bytes = Buffer.byteLength(JSON.stringify(output));
  for (const item of output.items) {
    const result = { itemId: item.itemId, label: item.label, status: 'delivered' };
    bytes += Buffer.byteLength(JSON.stringify(result)) + RESULT_RESERVE_BYTES;
  }
  if (bytes > limitBytes) throw new StatePayloadTooLargeError(output.items.length, bytes, limitBytes);
}
