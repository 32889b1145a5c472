import { rawRange, type RawPiece } from '../../../shared/messages/rawRange';
import type { RawReady } from '../../../shared/messages/rawReady';
import type { Queue } from '../../../shared/ports/Queue';
import { logger } from '../../../shared/log/logger';

/**
 * Fans a split item out on AWS: one RawRange message per piece to the transform queue, so each
 * piece runs in a function of its own. The item stays `transforming` until the last piece merges.
 *
 * @example
 * const sent = await sendPieces(ctx.ports.queues.transform, message, pieces); // { piecesSent: 8 }
 */
export async function sendPieces(queue: Queue, message: RawReady, pieces: RawPiece[]): Promise<{ piecesSent: number }> {
  for (const piece of pieces)
    await queue.send(JSON.stringify(rawRange.parse({ ...message, kind: 'raw-range', piece, pieces: pieces.length })));
  logger.info('item split into byte ranges', {
    runId: message.runId,
    itemId: message.itemId,
    pieces: pieces.length,
  });
  return { piecesSent: pieces.length };
}
