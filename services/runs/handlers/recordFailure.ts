import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { itemProgress } from '../../../shared/runState/itemProgress';

/** What a Catch put in `$.error`: the Step Functions error name and its cause. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

export interface RecordFailureInput {
  item: Pick<WorkItem, 'runId' | 'itemId' | 'label' | 'client' | 'source' | 'stream' | 'partition'>;
  error: CaughtError;
}

/** The child execution's output (kept by the Distributed Map's ResultWriter, read by no one in the run). */
export interface FailedItemResult {
  itemId: string;
  label: string;
  status: 'failed';
  error: { Error: string; Cause: string };
}

/** Lambda failures arrive as a JSON document in Cause; its message is what a person reads. */
export function readableCause(error: CaughtError): string {
  const cause = error.Cause || error.Error || 'failed without a cause';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // A plain sentence already.
  }
  return cause;
}

/**
 * The `Item failed` state of the per-item flow: records in run state why the item failed, so
 * Finalize tallies failures from run state alone (the Distributed Map's results never come back
 * to the run). A stage that already recorded its own error (the extractor, PollJob) keeps it; a
 * failure no handler saw (a timeout waiting for the loader, a Lambda service error, StartJob's
 * HTTP error) is recorded here with the error the Catch caught.
 *
 * @example
 * await recordFailure(ctx, { item, error: { Error: 'States.Timeout', Cause: '…' } });
 */
export async function recordFailure(ctx: ServiceContext, input: RecordFailureInput): Promise<FailedItemResult> {
  const { item, error } = input;
  const cause = readableCause(error);
  await itemProgress(ctx.ports.runState, item).failedUnlessDelivered(cause);
  return {
    itemId: item.itemId,
    label: item.label,
    status: 'failed',
    error: { Error: String(error.Error ?? 'States.Runtime'), Cause: cause },
  };
}
