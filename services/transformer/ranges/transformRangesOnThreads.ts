import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import type { CopyManifest } from '../output/copyManifest';
import type { WrittenTable } from '../output/TableWriter';
import type { RangeJob, TransformedRange } from './transformRange';

/** A range's transform failed in its worker thread; carries the original error's name. */
export class RangeTransformError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * Transforms the ranges of a large local raw object on `threads` worker threads (node:worker_threads),
 * each thread taking the next range when it is done with one: the local stand-in for one transform
 * message per range. All ranges or none: the first failure stops the others and is thrown.
 *
 * @example
 * const results = await transformRangesOnThreads(lake.root, jobs, 2);
 */
export async function transformRangesOnThreads(
  lakeRoot: string,
  jobs: RangeJob[],
  threads: number,
): Promise<TransformedRange[]> {
  const workers = Array.from({ length: Math.min(threads, jobs.length) }, startWorker);
  const results: TransformedRange[] = [];
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < jobs.length) {
          const job = jobs[next++]!;
          results[job.range.index] = await new Promise<TransformedRange>((resolve, reject) => {
            worker.once(
              'message',
              (reply: { ok: boolean; result?: TransformedRange; name?: string; message?: string }) =>
                reply.ok ? resolve(reply.result!) : reject(new RangeTransformError(reply.name!, reply.message!)),
            );
            worker.once('error', reject);
            worker.postMessage({ lakeRoot, job });
          });
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}

/** A worker thread on rangeWorker; from the TypeScript source it loads it through tsx's API. */
function startWorker(): Worker {
  const source = new URL('./rangeWorker.ts', import.meta.url);
  if (!source.pathname.endsWith('.ts')) return new Worker(source);
  const href = JSON.stringify(source.href);
  return new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${href}, ${href}));`, { eval: true });
}

/**
 * The one batch the ranges make: a COPY manifest listing every range's parts in range order,
 * their totals, and a content hash over the ranges' hashes (the batch id's content part).
 *
 * @example
 * const table = await mergeRanges(store, results, cleanManifestKey(message));
 */
export async function mergeRanges(
  store: ObjectStore,
  ranges: TransformedRange[],
  manifestKey: string,
): Promise<WrittenTable> {
  const entries: CopyManifest['entries'] = [];
  const hash = createHash('sha256');
  for (const range of ranges) {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(range.table.manifestKey)) chunks.push(chunk as Buffer);
    entries.push(...(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CopyManifest).entries);
    hash.update(range.table.contentHash);
  }
  await store.put(manifestKey, JSON.stringify({ entries }), { contentType: 'application/json' });
  return {
    manifestKey,
    parts: ranges.reduce((sum, range) => sum + range.table.parts, 0),
    rows: ranges.reduce((sum, range) => sum + range.table.rows, 0),
    bytes: ranges.reduce((sum, range) => sum + range.table.bytes, 0),
    contentHash: hash.digest('hex'),
  };
}
