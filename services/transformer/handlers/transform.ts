import { logger } from '../../../shared/log/logger';
import { redact } from '../../../shared/log/secretRedactor';
import { parseMessage } from '../../../shared/messages/parseMessage';
import { transformMessage } from '../../../shared/messages/rawRange';
import { isPermanent } from '../../../shared/runtime/errors';
import type { QueueDelivery } from '../../../shared/runtime/QueueDelivery';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { transformOrFanOut } from '../transformItem';
import { transformPiece } from '../transformPiece';
import { itemProgress } from '../../../shared/runState/itemProgress';

/**
 * The transform queue's handler: validates the RawReady message, transforms the item, records
 * progress in run state and sends CleanReady to the load queue. An item over
 * `transform.split_bytes` on AWS is sent back to this queue as one RawRange message per piece;
 * the piece that finishes last sends the CleanReady. Throws to ask for a retry; a
 * PermanentError (bad data, reject threshold, schema drift) tells the consumer to fail the
 * item's task token at once.
 *
 * @example
 * await transform(ctx, { id: message.id, body: message.body, receiveCount: message.receiveCount });
 */
export async function transform(ctx: ServiceContext, delivery: QueueDelivery): Promise<void> {
  const message = parseMessage(transformMessage, 'raw-ready', delivery.body);
  logger.appendKeys({ runId: message.runId, itemId: message.itemId });
  try {
    const progress = itemProgress(ctx.ports.runState, message);
    await progress.transforming();
    let result;
    try {
      result =
        message.kind === 'raw-range'
          ? await transformPiece(ctx, message)
          : await transformOrFanOut(ctx, message, ctx.ports.queues.transform);
    } catch (error) {
      const text = redact(error instanceof Error ? error.message : String(error));
      // A retryable failure keeps the stage, so the next delivery picks up from here.
      await (isPermanent(error) ? progress.failed(text) : progress.retrying(text)).catch((stateError: unknown) => {
        logger.warn('could not record the transform failure in run state', { error: String(stateError) });
      });
      throw error;
    }
    // Pieces sent, or a piece done while others still run: the item is still transforming.
    if (!result || 'piecesSent' in result) return;
    // The transformer counts what the raw data held: the authority on an empty item.
    const empty = result.counts.recordsIn === 0;
    if (empty)
      logger.warn('item has no records', {
        label: message.label,
        manifestKey: message.raw.manifestKey,
        hint: 'loaded as an empty item; set expect_records: always on the stream if it must never be empty',
      });
    await progress.transformed({
      empty,
      recordsIn: result.counts.recordsIn,
      recordsOut: result.counts.rows,
      recordsRejected: result.counts.rejected,
      table: findTable(ctx, message.source, message.stream),
    });
    await ctx.ports.queues.load.send(JSON.stringify(result.message));
  } finally {
    logger.removeKeys(['runId', 'itemId']);
  }
}

function findTable(ctx: ServiceContext, source: string, stream: string): string | undefined {
  return ctx.config.sources.get(source)?.streams[stream]?.load.table;
}
