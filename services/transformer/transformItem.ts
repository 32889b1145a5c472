import { transform as transformSchema, type TransformOptions } from '../../shared/config/schema/transform';
import type { StreamDefinition } from '../../shared/config/schema/source';
import type { DifConfig } from '../../shared/config/loadConfig';
import { cleanReady, type CleanReady } from '../../shared/messages/cleanReady';
import type { RawManifest, RawReady } from '../../shared/messages/rawReady';
import { ObjectNotFoundError, type ObjectStore } from '../../shared/ports/ObjectStore';
import { PermanentError } from '../../shared/runtime/errors';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log/logger';
import { decodeObject } from './decode/decodeObject';
import { DecodeFailure } from './decode/DecodeFailure';
import { RejectThresholdError, TransformConfigError, UnknownStreamError } from './errors';
import { cleanManifestKey, cleanPartKey, quarantineKey } from './objectKeys';
import { copyManifest } from './output/copyManifest';
import { PartWriter } from './output/PartWriter';
import { QuarantineWriter } from './output/QuarantineWriter';
import { readRawManifest } from './rawManifest';
import { columnNameFor, RecordPipeline, type EvolvedColumn, type PipelineSetup } from './pipeline/RecordPipeline';
import { Rejection } from './pipeline/Rejection';

/** Rows are gathered into strings of about this many characters before each write. */
const CHUNK_CHARS = 256 * 1024;

/** What one item's transformation counted, beyond what CleanReady carries. */
export interface TransformCounts {
  recordsIn: number;
  rows: number;
  rejected: number;
  /** Records (or exploded elements) dropped by `filter`, and records whose exploded array was empty. */
  filtered: number;
  duplicates: number;
}

/**
 * Transforms one extracted item: reads its raw manifest, decodes every raw object by the
 * stream's `format`, runs the record pipeline (context, rename, select/flatten, filter, dedupe,
 * cast), streams gzipped clean CSV parts plus a COPY manifest to `clean/…` and rejected records
 * to `quarantine/…`, and returns the CleanReady message for the loader. Nothing is held whole:
 * memory is bounded by a chunk of rows and the largest record.
 *
 * Throws a {@link PermanentError} (a DecodeError, RejectThresholdError, SchemaDriftError…) for
 * data a retry cannot fix; any other error is worth a retry.
 *
 * @example
 * const message = await transformItem(ctx, rawReadyMessage);
 * await ctx.ports.queues.load.send(JSON.stringify(message));
 */
export async function transformItem(ctx: ServiceContext, message: RawReady): Promise<CleanReady> {
  const result = await transformWithCounts(ctx, message);
  return result.message;
}

/** {@link transformItem}, also returning the counters (filtered, duplicates) for run state and logs. */
export async function transformWithCounts(ctx: ServiceContext, message: RawReady): Promise<{ message: CleanReady; counts: TransformCounts }> {
  const stream = findStream(ctx.config, message);
  const options = transformSchema.parse(stream.transform ?? {});
  if (options.dedupe && stream.primary_key.length === 0) {
    throw new TransformConfigError(`stream ${message.source}.${message.stream} sets transform.dedupe but has no primary_key. Declare primary_key, or remove dedupe`);
  }
  const store = ctx.ports.objectStore;
  const manifest = await readRawManifest(store, message.raw.manifestKey);
  const setup: PipelineSetup = {
    columns: stream.columns,
    options,
    primaryKey: stream.primary_key,
    metadata: {
      client: message.client,
      source: message.source,
      stream: message.stream,
      run_id: message.runId,
      item_id: message.itemId,
      partition: message.partition,
      extracted_at: message.extractedAt,
    },
  };
  let lastOfKey: Map<string, number> | undefined;
  if (options.new_field === 'evolve' || options.dedupe) {
    const first = await firstPass(store, manifest, stream, setup, options);
    setup.evolved = first.evolved;
    lastOfKey = first.lastOfKey;
  }
  const pipeline = new RecordPipeline(setup);
  const parts = new PartWriter(store, (n) => cleanPartKey(message, n), pipeline.header, { partBytes: options.part_bytes, gzipLevel: options.gzip_level });
  const quarantine = new QuarantineWriter(store, quarantineKey(message));
  const counts: TransformCounts = { recordsIn: 0, rows: 0, rejected: 0, filtered: 0, duplicates: 0 };
  const exploding = options.explode !== undefined;
  // Without explode every record is its own one view: one array reused, not one per record.
  const single: Record<string, unknown>[] = [];
  try {
    let ordinal = 0;
    for (const entry of manifest.objects) {
      if (entry.context) pipeline.knowFields(Object.keys(entry.context));
      let where = '';
      let recordNumber = 0;
      for await (const decoded of decodeObject(await openRaw(store, entry.key), stream.format, stream.records, entry.key)) {
        if (decoded.where !== where) {
          where = decoded.where;
          recordNumber = 0;
          pipeline.location.where = where;
        }
        let chunk = '';
        let rows = 0;
        for (const item of decoded.batch) {
          counts.recordsIn++;
          ordinal++;
          recordNumber++;
          if (item instanceof DecodeFailure) {
            await quarantine.add({ object: where, record: recordNumber, reason: item.reason, original: item.raw });
            continue;
          }
          // Quarantine shows the record with parent context merged in: that is what failed.
          const original = item;
          const record = pipeline.prepare(item, entry.context);
          if (record instanceof Rejection) {
            await quarantine.add({ object: where, record: recordNumber, reason: record.reason, original });
            continue;
          }
          if (lastOfKey && lastOfKey.get(pipeline.key(record)) !== ordinal) {
            counts.duplicates++;
            continue;
          }
          pipeline.location.record = recordNumber;
          let views = single;
          if (exploding) views = pipeline.explode(record);
          else single[0] = record;
          if (views.length === 0) counts.filtered++;
          for (const view of views) {
            const row = pipeline.row(view);
            if (row === undefined) counts.filtered++;
            else if (typeof row === 'string') {
              chunk += row;
              rows++;
              if (chunk.length >= CHUNK_CHARS) {
                await parts.write(chunk, rows);
                chunk = '';
                rows = 0;
              }
            } else await quarantine.add({ object: where, record: recordNumber, reason: row.reason, original: exploding ? view : original });
          }
        }
        if (rows > 0) await parts.write(chunk, rows);
        checkRejectedRows(quarantine.count, options, message);
      }
    }
    counts.rejected = quarantine.count;
    checkRejectedRatio(counts, options, message, quarantine.key);
  } catch (error) {
    parts.abort();
    await quarantine.close().catch(() => undefined);
    throw error;
  }
  await quarantine.close();
  const summary = await parts.close();
  counts.rows = summary.rows;
  const manifestKey = cleanManifestKey(message);
  await store.put(manifestKey, JSON.stringify(copyManifest(store, summary.parts)), { contentType: 'application/json' });
  logger.info('transformed item', { runId: message.runId, itemId: message.itemId, ...counts, parts: summary.parts.length, bytes: summary.bytes });
  const clean = cleanReady.parse({
    v: message.v,
    runId: message.runId,
    itemId: message.itemId,
    client: message.client,
    source: message.source,
    stream: message.stream,
    partition: message.partition,
    partitionValues: message.partitionValues,
    label: message.label,
    runtime: message.runtime,
    extraction: message.extraction,
    kind: 'clean-ready',
    taskToken: message.taskToken,
    clean: { manifestKey, parts: summary.parts.length, rows: summary.rows, bytes: summary.bytes },
    recordsIn: counts.recordsIn,
    rejected: counts.rejected,
    columns: pipeline.columns,
    batchId: `${message.itemId}-${summary.contentHash.slice(0, 16)}`,
    ...(message.cursor === undefined ? {} : { cursor: message.cursor }),
  });
  return { message: clean, counts };
}

function findStream(config: DifConfig, message: RawReady): StreamDefinition {
  const source = config.sources.get(message.source);
  const stream = source?.streams[message.stream];
  if (!stream) {
    throw new UnknownStreamError(
      `no stream ${message.source}.${message.stream} in the deployed configuration (item ${message.itemId} of run ${message.runId}). Deploy the configuration that produced the run, then replay the transform dead-letter queue`,
    );
  }
  return stream;
}

async function openRaw(store: ObjectStore, key: string): Promise<AsyncIterable<Buffer>> {
  try {
    return await store.get(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw new PermanentError('Transform.MissingObject', `raw object ${key} is listed in the raw manifest but does not exist. Re-run the extraction of this item`, { cause: error });
    throw error;
  }
}

function checkRejectedRows(rejected: number, options: TransformOptions, message: RawReady): void {
  if (options.max_rejected_rows !== undefined && rejected > options.max_rejected_rows) {
    throw new RejectThresholdError(
      `item ${message.itemId} (${message.source}.${message.stream}, partition ${message.partition}): more than transform.max_rejected_rows (${options.max_rejected_rows}) records rejected; see ${quarantineKey(message)} for each reason, fix the columns or the source, or raise the threshold`,
    );
  }
}

function checkRejectedRatio(counts: TransformCounts, options: TransformOptions, message: RawReady, quarantine: string): void {
  if (counts.rejected === 0 || counts.rejected <= counts.recordsIn * options.max_rejected_ratio) return;
  const share = ((100 * counts.rejected) / counts.recordsIn).toFixed(1);
  throw new RejectThresholdError(
    `item ${message.itemId} (${message.source}.${message.stream}, partition ${message.partition}): ${counts.rejected} of ${counts.recordsIn} records rejected (${share}%), above transform.max_rejected_ratio (${options.max_rejected_ratio * 100}%); see ${quarantine} for each reason, fix the columns or the source, or raise the threshold`,
  );
}

/**
 * Reads the raw objects once before writing when the output depends on the whole item: new
 * fields to add as columns (`new_field: evolve`) and the last record of each key (`dedupe`).
 * Only field names and keys are kept.
 */
async function firstPass(store: ObjectStore, manifest: RawManifest, stream: StreamDefinition, setup: PipelineSetup, options: TransformOptions): Promise<{ evolved: EvolvedColumn[]; lastOfKey: Map<string, number> | undefined }> {
  const probe = new RecordPipeline({ ...setup, options: { ...options, new_field: 'ignore', filter: [] } });
  const found = new Map<string, string>();
  const lastOfKey = options.dedupe ? new Map<string, number>() : undefined;
  const evolve = options.new_field === 'evolve';
  let ordinal = 0;
  for (const entry of manifest.objects) {
    if (entry.context) probe.knowFields(Object.keys(entry.context));
    for await (const { batch } of decodeObject(await openRaw(store, entry.key), stream.format, stream.records, entry.key)) {
      for (const item of batch) {
        ordinal++;
        if (item instanceof DecodeFailure) continue;
        const record = probe.prepare(item, entry.context);
        if (record instanceof Rejection) continue;
        if (lastOfKey) lastOfKey.set(probe.key(record), ordinal);
        if (!evolve) continue;
        for (const field of probe.newFields(record)) {
          const value = record[field];
          if (value !== null && typeof value === 'object') found.set(field, 'super');
          else if (!found.has(field) && value !== undefined && value !== null) found.set(field, 'varchar(65535)');
        }
      }
    }
  }
  const taken = new Set([...Object.keys(setup.columns), ...Object.keys(options.add)]);
  const evolved: EvolvedColumn[] = [];
  for (const [field, type] of found) {
    const name = columnNameFor(field);
    if (taken.has(name)) continue;
    taken.add(name);
    evolved.push({ name, field, type });
  }
  return { evolved, lastOfKey };
}
