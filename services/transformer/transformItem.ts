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
import { QuarantineWriter } from './output/QuarantineWriter';
import { TableWriter, type WrittenTable } from './output/TableWriter';
import { readRawManifest } from './rawManifest';
import { columnNameFor, RecordPipeline, type EvolvedColumn, type PipelineSetup } from './pipeline/RecordPipeline';
import { Rejection } from './pipeline/Rejection';

/** What one item's transformation counted, beyond what CleanReady carries. */
export interface TransformCounts {
  recordsIn: number;
  rows: number;
  rejected: number;
  /** Records (or exploded elements) dropped by `filter`, and records whose exploded array was empty. */
  filtered: number;
  duplicates: number;
  /** Elements of exploded arrays offered to child tables (written, filtered or rejected). */
  childElements: number;
}

/** One child table of the stream being written alongside it. */
interface ChildOutput {
  name: string;
  pipeline: RecordPipeline;
  table: TableWriter;
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
  const layout = { partBytes: options.part_bytes, gzipLevel: options.gzip_level };
  const table = new TableWriter(store, { ...layout, manifestKey: cleanManifestKey(message), partKey: (n) => cleanPartKey(message, n), header: pipeline.header });
  const children = childOutputs(store, stream, setup.metadata, message, layout);
  const quarantine = new QuarantineWriter(store, quarantineKey(message));
  const counts: TransformCounts = { recordsIn: 0, rows: 0, rejected: 0, filtered: 0, duplicates: 0, childElements: 0 };
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
          let written = false;
          for (const view of views) {
            const row = pipeline.row(view);
            if (row === undefined) counts.filtered++;
            else if (typeof row === 'string') {
              written = true;
              const full = table.add(row);
              if (full) await full;
            } else await quarantine.add({ object: where, record: recordNumber, reason: row.reason, original: exploding ? view : original });
          }
          // A child row goes with its parent row: a record rejected or filtered out takes its children with it.
          if (written) for (const child of children) await writeChildRows(child, record, quarantine, { object: where, record: recordNumber }, counts);
        }
        checkRejectedRows(quarantine.count, options, message);
      }
    }
    counts.rejected = quarantine.count;
    checkRejectedRatio(counts, options, message, quarantine.key);
  } catch (error) {
    table.abort();
    for (const child of children) child.table.abort();
    await quarantine.close().catch(() => undefined);
    throw error;
  }
  await quarantine.close();
  const written = await table.close();
  const writtenChildren = [];
  for (const child of children) writtenChildren.push({ name: child.name, columns: child.pipeline.columns, written: await child.table.close() });
  counts.rows = written.rows;
  logger.info('transformed item', {
    runId: message.runId,
    itemId: message.itemId,
    ...counts,
    parts: written.parts,
    bytes: written.bytes,
    ...(writtenChildren.length > 0 ? { children: Object.fromEntries(writtenChildren.map(({ name, written: w }) => [name, w.rows])) } : {}),
  });
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
    clean: cleanSummary(written),
    recordsIn: counts.recordsIn,
    rejected: counts.rejected,
    columns: pipeline.columns,
    batchId: `${message.itemId}-${written.contentHash.slice(0, 16)}`,
    ...(message.cursor === undefined ? {} : { cursor: message.cursor }),
    ...(writtenChildren.length === 0
      ? {}
      : {
          children: writtenChildren.map(({ name, columns, written: w }) => ({ name, clean: cleanSummary(w), columns, batchId: `${message.itemId}.${name}-${w.contentHash.slice(0, 16)}` })),
        }),
  });
  return { message: clean, counts };
}

function cleanSummary(written: WrittenTable): CleanReady['clean'] {
  return { manifestKey: written.manifestKey, parts: written.parts, rows: written.rows, bytes: written.bytes };
}

/** The stream's child tables, each with its own pipeline (columns, add, filter) and parts. */
function childOutputs(store: ObjectStore, stream: StreamDefinition, metadata: Record<string, string>, message: RawReady, layout: { partBytes: number; gzipLevel: number }): ChildOutput[] {
  return Object.entries(stream.children ?? {}).map(([name, child]) => {
    let pipeline: RecordPipeline;
    try {
      const options = transformSchema.parse({ ...child.transform, explode: child.explode });
      pipeline = new RecordPipeline({ columns: child.columns, options, primaryKey: child.primary_key, metadata });
    } catch (error) {
      if (error instanceof TransformConfigError) throw new TransformConfigError(`children.${name}: ${error.message}`);
      throw error;
    }
    const table = new TableWriter(store, { ...layout, manifestKey: cleanManifestKey(message, name), partKey: (n) => cleanPartKey(message, n, name), header: pipeline.header });
    return { name, pipeline, table };
  });
}

/** Writes the rows one record gives a child table; a row that fails its casts is quarantined on its own. */
async function writeChildRows(child: ChildOutput, record: Record<string, unknown>, quarantine: QuarantineWriter, at: { object: string; record: number }, counts: TransformCounts): Promise<void> {
  for (const view of child.pipeline.explode(record)) {
    counts.childElements++;
    const row = child.pipeline.row(view);
    if (row === undefined) continue;
    if (typeof row === 'string') {
      const full = child.table.add(row);
      if (full) await full;
    } else await quarantine.add({ ...at, reason: `child table ${child.name}: ${row.reason}`, original: view });
  }
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
  // Child rows are judged with the records: each is a row that may be rejected.
  const offered = counts.recordsIn + counts.childElements;
  if (counts.rejected === 0 || counts.rejected <= offered * options.max_rejected_ratio) return;
  const share = ((100 * counts.rejected) / offered).toFixed(1);
  const what = counts.childElements > 0 ? 'records and child rows' : 'records';
  throw new RejectThresholdError(
    `item ${message.itemId} (${message.source}.${message.stream}, partition ${message.partition}): ${counts.rejected} of ${offered} ${what} rejected (${share}%), above transform.max_rejected_ratio (${options.max_rejected_ratio * 100}%); see ${quarantine} for each reason, fix the columns or the source, or raise the threshold`,
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
