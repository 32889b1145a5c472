import type { PieceThreads } from '../../../shared/runtime/RunSettings';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { transformRange, type RangeJob, type TransformedRange } from './transformRange';
import { transformRangesOnThreads } from './transformRangesOnThreads';

/**
 * Transforms the pieces of an item split by {@link planPieces} here: on `threads` when the
 * profile gives them (the local one: one per core, over its directory lake), else one after the
 * other in this process (a bench, a test), which gives the same output. The caller merges them.
 *
 * @example
 * const results = await transformInPieces(store, jobs, ctx.runSettings?.pieceThreads);
 */
export async function transformInPieces(
  store: ObjectStore,
  jobs: RangeJob[],
  threads: PieceThreads | undefined,
): Promise<TransformedRange[]> {
  if (threads) return transformRangesOnThreads(threads.lakeRoot, jobs, threads.threads);
  const results: TransformedRange[] = [];
  for (const job of jobs) results.push(await transformRange(store, job));
  return results;
}
