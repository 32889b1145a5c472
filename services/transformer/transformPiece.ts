import { transform as transformSchema } from '../../shared/config/schema/transform';
import type { RawRange } from '../../shared/messages/rawRange';
import type { RawReady } from '../../shared/messages/rawReady';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { pieceResultKey } from './ranges/pieceKeys';
import { transformRange, type TransformedRange } from './ranges/transformRange';
import { readSmallObject } from './readSmallObject';
import { finishSplitItem, findStream, requestValues, runMetadata, type TransformResult } from './transformItem';

/**
 * Transforms one piece of a split item sent as a RawRange message (AWS), stores what it became,
 * and counts it in run state (once, however often the message is delivered). The piece that
 * completes the count merges every piece into the item's one batch and returns its CleanReady;
 * the others return undefined. A piece delivered again after the item completed merges and
 * returns the same CleanReady again (same batch id): the loader's ledger loads it once.
 *
 * @example
 * const done = await transformPiece(ctx, rawRangeMessage);
 * if (done) await ctx.ports.queues.load.send(JSON.stringify(done.message));
 */
export async function transformPiece(ctx: ServiceContext, message: RawRange): Promise<TransformResult | undefined> {
  const item = itemOf(message);
  const stream = findStream(ctx.config, item);
  const store = ctx.ports.objectStore;
  const metadata = runMetadata(item);
  const request = requestValues(ctx.config, item, stream);
  const done = await transformRange(store, { message: item, stream, metadata, request, piece: message.piece });
  await store.put(pieceResultKey(item, done.index), JSON.stringify(done), { contentType: 'application/json' });
  const finished = await ctx.ports.runState.finishPiece(item.runId, item.itemId, done.index);
  if (finished < message.pieces) return undefined;
  const pieces: TransformedRange[] = [];
  for (let index = 0; index < message.pieces; index++)
    pieces.push(
      JSON.parse(await readSmallObject(store, pieceResultKey(item, index), 'piece result')) as TransformedRange,
    );
  const options = transformSchema.parse(stream.transform ?? {});
  return finishSplitItem(store, { message: item, stream, options, metadata, request }, pieces);
}

/** The item's RawReady, as the RawRange carries it. */
function itemOf(message: RawRange): RawReady {
  const { piece: _piece, pieces: _pieces, ...item } = message;
  return { ...item, kind: 'raw-ready' };
}
