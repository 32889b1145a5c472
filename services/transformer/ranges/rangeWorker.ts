import { parentPort } from 'node:worker_threads';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { transformRange, type RangeJob } from './transformRange';

/**
 * A worker thread of {@link transformRangesOnThreads}: transforms the pieces it is sent, one at a
 * time, against the local lake, and answers each with its result (or its error's name, message
 * and, for a PermanentError, code).
 */
parentPort?.on('message', (message: { lakeRoot: string; job: RangeJob }) => {
  transformRange(new DirectoryObjectStore(message.lakeRoot), message.job).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (error: unknown) =>
      parentPort!.postMessage({
        ok: false,
        name: (error as Error).name ?? 'Error',
        message: (error as Error).message ?? String(error),
        code: (error as { code?: unknown }).code,
      }),
  );
});
