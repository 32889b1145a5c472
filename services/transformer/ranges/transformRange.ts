import { transform as transformSchema } from '../../../shared/config/schema/transform';
import type { StreamDefinition } from '../../../shared/config/schema/source';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { decodeObject } from '../decode/decodeObject';
import { DecodeFailure } from '../decode/DecodeFailure';
import { TransformConfigError } from '../errors';
import { TableWriter, type WrittenTable } from '../output/TableWriter';
import { RecordPipeline } from '../pipeline/RecordPipeline';
import { Rejection } from '../pipeline/Rejection';
import { recordsPathOf } from '../recordsPathOf';
import type { ByteRange } from './lineAlignedRanges';

/** What one range of a raw object became. */
export interface TransformedRange {
  index: number;
  recordsIn: number;
  rejected: number;
  table: WrittenTable;
}

export interface RangeJob {
  /** The raw object and the range of it. */
  key: string;
  range: ByteRange;
  /** A CSV header line every range but the first carries (the first range starts after it). */
  header?: string;
  stream: StreamDefinition;
  /** Run metadata for `transform.add`. */
  metadata: Record<string, string>;
  /** `clean/…/{itemId}` of the item: the range's parts are `{prefix}-r{range}-part-{n}.csv.gz`. */
  cleanPrefix: string;
}

/**
 * Transforms one line-aligned byte range of a large raw object into clean CSV parts of its own,
 * with the stream's record pipeline; the ranges of an object are loaded together, as one batch,
 * by one COPY manifest listing every range's parts. Streams whose output depends on the whole
 * item (`dedupe`, `new_field: evolve`, child tables) or whose data is compressed cannot be split.
 *
 * @example
 * const done = await transformRange(store, { key, range, stream, metadata, cleanPrefix });
 * done.table.rows;
 */
export async function transformRange(store: ObjectStore, job: RangeJob): Promise<TransformedRange> {
  const options = transformSchema.parse(job.stream.transform ?? {});
  if (options.dedupe || options.new_field === 'evolve' || job.stream.children)
    throw new TransformConfigError(
      `${job.key}: a stream with transform.dedupe, new_field: evolve or children needs the whole item at once and is not transformed as byte ranges`,
    );
  const pipeline = new RecordPipeline({
    columns: job.stream.columns,
    options,
    primaryKey: job.stream.primary_key,
    metadata: job.metadata,
  });
  const rangeName = `${job.cleanPrefix}-r${String(job.range.index).padStart(4, '0')}`;
  const table = new TableWriter(store, {
    manifestKey: `${rangeName}-manifest.json`,
    partKey: (n) => `${rangeName}-part-${String(n).padStart(5, '0')}.csv.gz`,
    header: pipeline.header,
    partBytes: options.part_bytes,
    gzipLevel: options.gzip_level,
  });
  const bytes = await store.getRange(job.key, job.range.start, job.range.end);
  const body = job.header ? prefixed(Buffer.from(job.header), bytes) : bytes;
  const where = `${job.key} bytes ${job.range.start}-${job.range.end}`;
  let recordsIn = 0;
  let rejected = 0;
  try {
    for await (const { batch } of decodeObject(
      body,
      { ...job.stream.format, compression: 'none' },
      recordsPathOf(job.stream),
      where,
      job.stream.expect_records,
    )) {
      for (const item of batch) {
        recordsIn++;
        if (item instanceof DecodeFailure) {
          rejected++;
          continue;
        }
        const record = pipeline.prepare(item, undefined);
        if (record instanceof Rejection) {
          rejected++;
          continue;
        }
        const row = pipeline.row(record);
        if (typeof row === 'string') {
          const full = table.add(row);
          if (full) await full;
        } else if (row instanceof Rejection) rejected++;
      }
      await table.flush();
    }
  } catch (error) {
    table.abort();
    throw error;
  }
  return { index: job.range.index, recordsIn, rejected, table: await table.close() };
}

async function* prefixed(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  yield* rest;
}
