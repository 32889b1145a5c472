import type { StreamDefinition } from '../../shared/config/schema/source';

/**
 * Where the records are in the stream's raw JSON: an async report's download may name its own
 * path (`async_job.download.records`), as the extractor reads it; otherwise the stream's `records`.
 *
 * @example
 * recordsPathOf(stream); // '$.data'
 */
export function recordsPathOf(stream: StreamDefinition): string {
  return stream.async_job?.download.records ?? stream.records;
}
