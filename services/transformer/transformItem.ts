import { transform as transformSchema, type TransformOptions } from '../../shared/config/schema/transform';
import type { StreamDefinition } from '../../shared/config/schema/source';
import type { DifConfig } from '../../shared/config/loadConfig';
import { cleanReady, type CleanReady } from '../../shared/messages/cleanReady';
import type { RawManifest, RawReady } from '../../shared/messages/rawReady';
import { workItemOf } from '../../shared/messages/workItem';
import type { ObjectStore } from '../../shared/ports/ObjectStore';
import type { Queue } from '../../shared/ports/Queue';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log/logger';
import { decodeObject } from './decode/decodeObject';
import { DecodeFailure } from './decode/DecodeFailure';
import { DedupeLimitError, TransformConfigError, UnknownStreamError } from './errors';
import { ItemOutputs, type WrittenChild } from './output/ItemOutputs';
import type { WrittenTable } from './output/TableWriter';
import { openRawObject, readRawManifest } from './rawManifest';
import {
  columnNameFor,
  RecordPipeline,
  type EvolvedColumn,
  type OutputColumn,
  type PipelineSetup,
} from './pipeline/RecordPipeline';
import type { RequestValues } from './pipeline/compileColumn';
import { Rejection } from './pipeline/Rejection';
import { recordsPathOf } from './recordsPathOf';
import { mergePieces, type MergedItem } from './ranges/mergePieces';
import { planPieces } from './ranges/planPieces';
import { sendPieces } from './ranges/sendPieces';
import { transformInPieces } from './ranges/transformInPieces';
import type { RangeJob, TransformedRange } from './ranges/transformRange';
import { transformRecords, type TransformCounts } from './transformRecords';

export type { TransformCounts } from './transformRecords';

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

/** An item transformed here: its CleanReady and counters. */
export interface TransformResult {
  message: CleanReady;
  counts: TransformCounts;
}

/** An item split into pieces sent to the transform queue as RawRange messages: the last piece to finish sends its CleanReady. */
export interface PiecesSent {
  piecesSent: number;
}

/** {@link transformItem}, also returning the counters (filtered, duplicates) for run state and logs. */
export function transformWithCounts(ctx: ServiceContext, message: RawReady): Promise<TransformResult> {
  return transformOrFanOut(ctx, message, undefined);
}

/**
 * {@link transformWithCounts} for the transform queue's handler. An item over
 * `transform.split_bytes` is transformed as pieces: on the worker threads the profile gives
 * (`runSettings.pieceThreads`, the local one), else sent to `fanOut` as one RawRange message per
 * piece (the last piece to finish sends the item's CleanReady: transformPiece). With neither, the
 * pieces run here one after the other.
 */
export async function transformOrFanOut(
  ctx: ServiceContext,
  message: RawReady,
  fanOut: undefined,
): Promise<TransformResult>;
export async function transformOrFanOut(
  ctx: ServiceContext,
  message: RawReady,
  fanOut: Queue,
): Promise<TransformResult | PiecesSent>;
export async function transformOrFanOut(
  ctx: ServiceContext,
  message: RawReady,
  fanOut: Queue | undefined,
): Promise<TransformResult | PiecesSent> {
  const stream = findStream(ctx.config, message);
  const options = transformSchema.parse(stream.transform ?? {});
  if (options.dedupe && stream.primary_key.length === 0) {
    throw new TransformConfigError(
      `stream ${message.source}.${message.stream} sets transform.dedupe but has no primary_key. Declare primary_key, or remove dedupe`,
    );
  }
  const store = ctx.ports.objectStore;
  const manifest = await readRawManifest(store, message.raw.manifestKey);
  const request = requestValues(ctx.config, message, stream);
  const setup: PipelineSetup = {
    columns: stream.columns,
    options,
    primaryKey: stream.primary_key,
    metadata: runMetadata(message),
    request,
  };
  const pieces = await planPieces(store, manifest, stream, options);
  if (pieces) {
    const threads = ctx.runSettings?.pieceThreads;
    if (!threads && fanOut) return sendPieces(fanOut, message, pieces);
    const item: SplitItem = { message, stream, options, metadata: setup.metadata, request };
    const jobs = pieces.map((piece) => ({ ...item, piece }));
    return finishSplitItem(store, item, await transformInPieces(store, jobs, threads));
  }
  let lastOfKey: Map<string, number> | undefined;
  if (options.new_field === 'evolve' || options.dedupe) {
    const first = await firstPass(store, manifest, stream, setup, options);
    setup.evolved = first.evolved;
    lastOfKey = first.lastOfKey;
  }
  const pipeline = new RecordPipeline(setup);
  const outputs = ItemOutputs.open(store, message, stream, pipeline, options, setup);
  let counts: TransformCounts;
  try {
    counts = await transformRecords({ store, manifest, stream, options, message, lastOfKey }, pipeline, outputs);
  } catch (error) {
    await outputs.abort();
    throw error;
  }
  const { table: written, children: writtenChildren } = await outputs.close();
  counts.rows = written.rows;
  logger.info('transformed item', {
    runId: message.runId,
    itemId: message.itemId,
    ...counts,
    parts: written.parts,
    bytes: written.bytes,
    ...(writtenChildren.length > 0
      ? { children: Object.fromEntries(writtenChildren.map(({ name, written: child }) => [name, child.rows])) }
      : {}),
  });
  return { message: cleanReadyFor(message, pipeline.columns, counts, written, writtenChildren), counts };
}

/** An item split into byte ranges, as its merge and its CleanReady need it. */
export type SplitItem = MergedItem & Pick<RangeJob, 'metadata' | 'request'>;

/**
 * The end of a split item, wherever its pieces ran (docs/pipeline-contracts.md, "Large raw objects
 * as byte ranges"): the pieces merged into the item's one batch, logged, and its CleanReady.
 */
export async function finishSplitItem(
  store: ObjectStore,
  item: SplitItem,
  pieces: TransformedRange[],
): Promise<TransformResult> {
  const { message, stream, options, metadata, request } = item;
  const { table, counts } = await mergePieces(store, item, pieces);
  counts.rows = table.rows;
  logger.info('transformed item', {
    runId: message.runId,
    itemId: message.itemId,
    pieces: pieces.length,
    ...counts,
    parts: table.parts,
    bytes: table.bytes,
  });
  const { columns } = new RecordPipeline({
    columns: stream.columns,
    options,
    primaryKey: stream.primary_key,
    metadata,
    request,
  });
  return { message: cleanReadyFor(message, columns, counts, table, []), counts };
}

function dedupeLimit(options: TransformOptions, where: string): DedupeLimitError {
  return new DedupeLimitError(
    `${where}: more than transform.dedupe_max_keys (${options.dedupe_max_keys}) distinct primary keys in one item, more than dedupe holds in memory. Split the item into smaller partitions (a shorter date_range step), or raise dedupe_max_keys if the transformer has the memory (~150 bytes per key)`,
  );
}

/**
 * What columns may read from the request that fetched the item: its partition values, the
 * client's params for the source (as the extractor's templates saw them) and the parent fields.
 */
export function requestValues(config: DifConfig, message: RawReady, stream: StreamDefinition): RequestValues {
  const params = config.clients.get(message.client)?.sources[message.source]?.params ?? {};
  return {
    partition: message.partitionValues,
    client: { name: message.client, ...params },
    parentFields: stream.parent?.fields ?? {},
  };
}

/** What `transform.add` can write: the item's run metadata. */
export function runMetadata(message: RawReady): Record<string, string> {
  return {
    client: message.client,
    source: message.source,
    stream: message.stream,
    run_id: message.runId,
    item_id: message.itemId,
    partition: message.partition,
    extracted_at: message.extractedAt,
  };
}

/** The loader's message: the item's identity, each table's manifest and columns, and the batch ids (content hashes). */
export function cleanReadyFor(
  message: RawReady,
  columns: OutputColumn[],
  counts: TransformCounts,
  written: WrittenTable,
  children: WrittenChild[],
): CleanReady {
  return cleanReady.parse({
    ...workItemOf(message),
    kind: 'clean-ready',
    taskToken: message.taskToken,
    clean: cleanSummary(written),
    recordsIn: counts.recordsIn,
    rejected: counts.rejected,
    columns,
    batchId: batchIdOf(message, written),
    ...(message.cursor === undefined ? {} : { cursor: message.cursor }),
    ...(Number.isNaN(Date.parse(message.extractedAt)) ? {} : { extractedAt: message.extractedAt }),
    ...(children.length === 0
      ? {}
      : {
          children: children.map(({ name, columns: childColumns, written: child }) => ({
            name,
            clean: cleanSummary(child),
            columns: childColumns,
            batchId: batchIdOf(message, child, name),
          })),
        }),
  });
}

/** The load ledger key of one table of the item: `{itemId}[.{child}]-{content hash}`, named like its object keys. */
function batchIdOf(message: RawReady, written: WrittenTable, child?: string): string {
  return `${message.itemId}${child === undefined ? '' : `.${child}`}-${written.contentHash.slice(0, 16)}`;
}

function cleanSummary(written: WrittenTable): CleanReady['clean'] {
  const { manifestKey, parts, rows, bytes, sourceOrder } = written;
  return { manifestKey, parts, rows, bytes, ...(sourceOrder ? { sourceOrder } : {}) };
}

export function findStream(config: DifConfig, message: RawReady): StreamDefinition {
  const source = config.sources.get(message.source);
  const stream = source?.streams[message.stream];
  if (!stream) {
    throw new UnknownStreamError(
      `no stream ${message.source}.${message.stream} in the deployed configuration (item ${message.itemId} of run ${message.runId}). Deploy the configuration that produced the run, then replay the transform dead-letter queue`,
    );
  }
  return stream;
}

/**
 * Reads the raw objects once before writing when the output depends on the whole item: new
 * fields to add as columns (`new_field: evolve`) and the last record of each key (`dedupe`).
 * Only field names and keys are kept.
 */
async function firstPass(
  store: ObjectStore,
  manifest: RawManifest,
  stream: StreamDefinition,
  setup: PipelineSetup,
  options: TransformOptions,
): Promise<{ evolved: EvolvedColumn[]; lastOfKey: Map<string, number> | undefined }> {
  const probe = new RecordPipeline({ ...setup, options: { ...options, new_field: 'ignore', filter: [] } });
  const found = new Map<string, string>();
  const lastOfKey = options.dedupe ? new Map<string, number>() : undefined;
  const evolve = options.new_field === 'evolve';
  let ordinal = 0;
  for (const entry of manifest.objects) {
    if (entry.context) probe.knowFields(Object.keys(entry.context));
    probe.useContext(entry.context);
    for await (const { batch } of decodeObject(
      await openRawObject(store, entry.key),
      stream.format,
      recordsPathOf(stream),
      entry.key,
      stream.expect_records,
    )) {
      for (const item of batch) {
        ordinal++;
        if (item instanceof DecodeFailure) continue;
        const record = probe.prepare(item, entry.context);
        if (record instanceof Rejection) continue;
        if (lastOfKey) {
          lastOfKey.set(probe.key(record), ordinal);
          if (lastOfKey.size > options.dedupe_max_keys) throw dedupeLimit(options, entry.key);
        }
        if (!evolve) continue;
        for (const field of probe.newFields(record)) {
          const value = record[field];
          if (value !== null && typeof value === 'object') found.set(field, 'json');
          else if (!found.has(field) && value !== undefined && value !== null) found.set(field, 'text');
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
