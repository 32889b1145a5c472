import type { WorkItem } from '../../shared/messages/workItem';

type ItemKeys = Pick<WorkItem, 'client' | 'source' | 'stream' | 'partition' | 'runId' | 'itemId'>;

/** `{partition}` as one key segment: `/` becomes `,` (docs/pipeline-contracts.md). */
export function partitionSegment(partition: string): string {
  return partition.replaceAll('/', ',');
}

/** `…/{itemId}` for the stream's table, `…/{itemId}.{child}` for a child table of the stream. */
function cleanPrefix(item: ItemKeys, child: string | undefined): string {
  return `clean/${item.client}/${item.source}/${item.stream}/dt=${partitionSegment(item.partition)}/run=${item.runId}/${item.itemId}${child === undefined ? '' : `.${child}`}`;
}

/** Key of clean part `n` (1-based): `clean/…/{itemId}[.{child}]-part-{n}.csv.gz`, `n` zero-padded to 5 digits. */
export function cleanPartKey(item: ItemKeys, n: number, child?: string): string {
  return `${cleanPrefix(item, child)}-part-${String(n).padStart(5, '0')}.csv.gz`;
}

/** Key of the Redshift COPY manifest listing the clean parts of the item's table (or of one child table). */
export function cleanManifestKey(item: ItemKeys, child?: string): string {
  return `${cleanPrefix(item, child)}-manifest.json`;
}

/** Key of the item's rejected records: `quarantine/{client}/{source}/{stream}/run={runId}/{itemId}.jsonl`. */
export function quarantineKey(item: ItemKeys): string {
  return `quarantine/${item.client}/${item.source}/${item.stream}/run=${item.runId}/${item.itemId}.jsonl`;
}
