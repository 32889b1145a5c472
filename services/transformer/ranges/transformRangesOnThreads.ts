import { Worker } from 'node:worker_threads';
import { PermanentError } from '../../../shared/runtime/errors';
import type { RangeJob, TransformedRange } from './transformRange';

/** A piece's transform failed in its worker thread; carries the original error's name. */
export class RangeTransformError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface WorkerReply {
  ok: boolean;
  result?: TransformedRange;
  name?: string;
  message?: string;
  code?: unknown;
}

/**
 * Transforms the pieces of a large local item on `threads` worker threads (node:worker_threads),
 * each thread taking the next piece when it is done with one: the local stand-in for one
 * transform message per range. All pieces or none: the first failure stops the others and is
 * thrown, still a PermanentError (with its code) when it was one in the thread.
 *
 * @example
 * const results = await transformRangesOnThreads(lake.root, jobs, 2);
 */
export async function transformRangesOnThreads(
  lakeRoot: string,
  jobs: RangeJob[],
  threads: number,
): Promise<TransformedRange[]> {
  const workers = Array.from({ length: Math.max(1, Math.min(threads, jobs.length)) }, startWorker);
  const results: TransformedRange[] = [];
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          results[job.piece.index] = await runOn(worker, lakeRoot, job);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}

function runOn(worker: Worker, lakeRoot: string, job: RangeJob): Promise<TransformedRange> {
  return new Promise<TransformedRange>((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (reply: WorkerReply) => {
      worker.off('error', onError);
      if (reply.ok) resolve(reply.result!);
      else reject(errorOf(reply));
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    worker.postMessage({ lakeRoot, job });
  });
}

/** The thread's error again: a PermanentError stays one, so the item fails at once instead of being retried. */
function errorOf(reply: WorkerReply): Error {
  if (typeof reply.code !== 'string') return new RangeTransformError(reply.name!, reply.message!);
  const error = new PermanentError(reply.code, reply.message!);
  error.name = reply.name!;
  return error;
}

/** A worker thread on rangeWorker; from the TypeScript source it loads it through tsx's API. */
function startWorker(): Worker {
  const source = new URL('./rangeWorker.ts', import.meta.url);
  if (!source.pathname.endsWith('.ts')) return new Worker(source);
  const href = JSON.stringify(source.href);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${href}, ${href}));`, { eval: true });
}
