import { transform as transformSchema } from '../../shared/config/schema/transform';
import type { RawRange } from '../../shared/messages/rawRange';
import type { RawReady } from '../../shared/messages/rawReady';
import type { ObjectStore } from '../../shared/ports/ObjectStore';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log/logger';
import { RecordPipeline } from './pipeline/RecordPipeline';
import { mergePieces } from './ranges/mergePieces';
import { pieceResultKey } from './ranges/pieceKeys';
import { transformRange, type TransformedRange } from './ranges/transformRange';
import { cleanReadyFor, findStream, requestValues, runMetadata, type TransformResult } from './transformItem';

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
  for (let index = 0; index < message.pieces; index++) pieces.push(await readResult(store, item, index));
  const options = transformSchema.parse(stream.transform ?? {});
  const { table, counts } = await mergePieces(store, { message: item, stream, options }, pieces);
  counts.rows = table.rows;
  logger.info('transformed item', {
    runId: item.runId,
    itemId: item.itemId,
    pieces: message.pieces,
    ...counts,
    parts: table.parts,
    bytes: table.bytes,
  });
  const columns = new RecordPipeline({
    columns: stream.columns,
    options,
    primaryKey: stream.primary_key,
    metadata,
    request,
  }).columns;
  return { message: cleanReadyFor(item, columns, counts, table, []), counts };
}

/** The item's RawReady, as the RawRange carries it. */
function itemOf(message: RawRange): RawReady {
  const { piece: _piece, pieces: _pieces, ...item } = message;
  return { ...item, kind: 'raw-ready' };
}

async function readResult(store: ObjectStore, item: RawReady, index: number): Promise<TransformedRange> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.get(pieceResultKey(item, index))) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as TransformedRange;
}
