import type { TransformOptions } from '../../shared/config/schema/transform';
import type { StreamDefinition } from '../../shared/config/schema/source';
import type { RawManifest, RawReady } from '../../shared/messages/rawReady';
import type { ObjectStore } from '../../shared/ports/ObjectStore';
import { decodeObject } from './decode/decodeObject';
import { DecodeFailure } from './decode/DecodeFailure';
import { NoRecordsError, RejectThresholdError } from './errors';
import { quarantineKey } from './objectKeys';
import type { ChildOutput, ItemOutputs } from './output/ItemOutputs';
import type { QuarantineWriter } from './output/QuarantineWriter';
import type { RecordPipeline } from './pipeline/RecordPipeline';
import { Rejection } from './pipeline/Rejection';
import { openRawObject } from './rawManifest';
import { recordsPathOf } from './recordsPathOf';

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

/** The item being transformed and what the first pass learnt (the last record of each key, for dedupe). */
export interface ItemRecords {
  store: ObjectStore;
  manifest: RawManifest;
  stream: StreamDefinition;
  options: TransformOptions;
  message: RawReady;
  lastOfKey: Map<string, number> | undefined;
}

/**
 * The record loop: decodes the item's raw objects in manifest order and writes each record —
 * merged with its parent context, renamed, deduplicated, exploded — as rows of the stream's
 * table and of its child tables; what cannot be written goes to quarantine with its reason.
 * Fails the item as soon as a reject threshold is passed. `rows` is left to the caller, which
 * reads it from the closed table.
 */
export async function transformRecords(
  { store, manifest, stream, options, message, lastOfKey }: ItemRecords,
  pipeline: RecordPipeline,
  outputs: Pick<ItemOutputs, 'table' | 'children' | 'quarantine' | 'flush'>,
): Promise<TransformCounts> {
  const counts: TransformCounts = { recordsIn: 0, rows: 0, rejected: 0, filtered: 0, duplicates: 0, childElements: 0 };
  const exploding = options.explode !== undefined;
  // Without explode every record is its own one view: one array reused, not one per record.
  const single: Record<string, unknown>[] = [];
  let ordinal = 0;
  for (const entry of manifest.objects) {
    if (entry.context) pipeline.knowFields(Object.keys(entry.context));
    pipeline.useContext(entry.context);
    for (const child of outputs.children) child.pipeline.useContext(entry.context);
    let where = '';
    let recordNumber = 0;
    for await (const decoded of decodeObject(
      await openRawObject(store, entry.key),
      stream.format,
      recordsPathOf(stream),
      entry.key,
      stream.expect_records,
    )) {
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
          await outputs.quarantine.add({
            object: where,
            record: recordNumber,
            reason: item.reason,
            original: item.raw,
          });
          continue;
        }
        // Quarantine shows the record with parent context merged in: that is what failed.
        const original = item;
        const record = pipeline.prepare(item, entry.context);
        if (record instanceof Rejection) {
          await outputs.quarantine.add({ object: where, record: recordNumber, reason: record.reason, original });
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
            const full = outputs.table.add(row);
            if (full) await full;
          } else
            await outputs.quarantine.add({
              object: where,
              record: recordNumber,
              reason: row.reason,
              original: exploding ? view : original,
            });
        }
        // A child row goes with its parent row: a record rejected or filtered out takes its children with it.
        if (written)
          for (const child of outputs.children)
            await writeChildRows(child, record, outputs.quarantine, { object: where, record: recordNumber }, counts);
      }
      await outputs.flush();
      checkRejectedRows(outputs.quarantine.count, options, message);
    }
  }
  counts.rejected = outputs.quarantine.count;
  if (counts.recordsIn === 0 && stream.expect_records === 'always') throw noRecords(message, manifest);
  checkRejectedRatio(counts, options, message, outputs.quarantine.key);
  return counts;
}

export function noRecords(message: RawReady, manifest: RawManifest): NoRecordsError {
  const objects = manifest.objects.length;
  return new NoRecordsError(
    `item ${message.itemId} (${message.source}.${message.stream}, partition ${message.partition}): no records in ${objects} raw object${objects === 1 ? '' : 's'} (${message.raw.manifestKey}), and the stream sets expect_records: always. Check the request (dates, account, filters) against the API, or set expect_records: allow_empty if an empty partition is normal`,
  );
}

/** Writes the rows one record gives a child table; a row that fails its casts is quarantined on its own. */
async function writeChildRows(
  child: ChildOutput,
  record: Record<string, unknown>,
  quarantine: QuarantineWriter,
  at: { object: string; record: number },
  counts: TransformCounts,
): Promise<void> {
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

export function checkRejectedRows(rejected: number, options: TransformOptions, message: RawReady): void {
  if (options.max_rejected_rows !== undefined && rejected > options.max_rejected_rows) {
    throw new RejectThresholdError(
      `item ${message.itemId} (${message.source}.${message.stream}, partition ${message.partition}): more than transform.max_rejected_rows (${options.max_rejected_rows}) records rejected; see ${quarantineKey(message)} for each reason, fix the columns or the source, or raise the threshold`,
    );
  }
}

export function checkRejectedRatio(
  counts: TransformCounts,
  options: TransformOptions,
  message: RawReady,
  quarantine: string,
): void {
  // Child rows are judged with the records: each is a row that may be rejected.
  const offered = counts.recordsIn + counts.childElements;
  if (counts.rejected === 0 || counts.rejected <= offered * options.max_rejected_ratio) return;
  const share = ((100 * counts.rejected) / offered).toFixed(1);
  const what = counts.childElements > 0 ? 'records and child rows' : 'records';
  throw new RejectThresholdError(
    `item ${message.itemId} (${message.source}.${message.stream}, partition ${message.partition}): ${counts.rejected} of ${offered} ${what} rejected (${share}%), above transform.max_rejected_ratio (${options.max_rejected_ratio * 100}%); see ${quarantine} for each reason, fix the columns or the source, or raise the threshold`,
  );
}
