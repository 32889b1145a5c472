import type { WorkItem } from '../../shared/messages/workItem';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';

/**
 * Records that an extraction attempt of `item` starts: stage `extracting`, one more attempt, and
 * no stale error from a previous attempt. StartJob and Extract both count as attempts.
 */
export async function beginAttempt(ctx: ServiceContext, item: WorkItem): Promise<void> {
  const { runState } = ctx.ports;
  const previous = await runState.getItem(item.runId, item.itemId);
  await runState.updateItem(item.runId, item.itemId, {
    client: item.client,
    source: item.source,
    stream: item.stream,
    partition: item.partition,
    stage: 'extracting',
    attempts: (previous?.attempts ?? 0) + 1,
    error: undefined,
  });
}
