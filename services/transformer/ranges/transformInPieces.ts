import { availableParallelism } from 'node:os';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import type { WrittenTable } from '../output/TableWriter';
import type { TransformCounts } from '../transformRecords';
import { mergePieces, type MergedItem } from './mergePieces';
import type { RawPiece } from './planPieces';
import { transformRange, type RangeJob } from './transformRange';
import { transformRangesOnThreads } from './transformRangesOnThreads';

/**
 * Transforms an item split by {@link planPieces} here and merges it into one batch. On the local
 * profile (a directory lake) the pieces run on one worker thread per core; elsewhere (no queue to
 * fan out to: a bench, a test) one after the other in this process, which gives the same output.
 *
 * @example
 * const { table, counts } = await transformInPieces(store, { message, stream, options, metadata, request }, pieces);
 */
export async function transformInPieces(
  store: ObjectStore,
  item: MergedItem & Pick<RangeJob, 'metadata' | 'request'>,
  pieces: RawPiece[],
): Promise<{ table: WrittenTable; counts: TransformCounts }> {
  const { message, stream, metadata, request } = item;
  const jobs: RangeJob[] = pieces.map((piece) => ({ message, stream, metadata, request, piece }));
  const results =
    store instanceof DirectoryObjectStore
      ? await transformRangesOnThreads(store.root, jobs, availableParallelism())
      : await inSequence(store, jobs);
  return mergePieces(store, item, results);
}

async function inSequence(store: ObjectStore, jobs: RangeJob[]) {
  const results = [];
  for (const job of jobs) results.push(await transformRange(store, job));
  return results;
}
