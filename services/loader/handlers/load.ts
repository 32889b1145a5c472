import { logger } from '../../../shared/log';
import { cleanReady } from '../../../shared/messages/cleanReady';
import { parseMessage } from '../../../shared/messages/parseMessage';
import { StaleTaskTokenError } from '../../../shared/ports/Workflow';
import type { QueueDelivery } from '../../../shared/runtime/QueueDelivery';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { loadItem } from '../loadItem';

/**
 * The load-queue handler: validates the CleanReady message, loads it exactly once and completes
 * the item's task token with the counts. A token whose execution has ended (a DLQ replay) is
 * logged and ignored: the data and run state are delivered all the same. Throws to ask for a
 * redelivery; a PermanentError fails the item at once (shared/runtime/consumeMessage.ts).
 *
 * @example
 * await consumeMessage(ctx, 'load', delivery, load, { maxReceiveCount: 5 });
 */
export async function load(ctx: ServiceContext, delivery: QueueDelivery): Promise<void> {
  const message = parseMessage(cleanReady, 'clean-ready', delivery.body);
  const result = await loadItem(ctx, message);
  try {
    await ctx.ports.workflow.sendTaskSuccess(message.taskToken, { ...result });
  } catch (error) {
    if (!(error instanceof StaleTaskTokenError)) throw error;
    logger.info('task token already closed (its execution has ended); the batch is loaded and run state updated', {
      runId: message.runId,
      itemId: message.itemId,
      status: result.status,
    });
  }
}
