import type { WorkItem } from '../../shared/messages/workItem';

type ItemKeys = Pick<WorkItem, 'client' | 'source' | 'stream' | 'partition' | 'runId' | 'itemId'>;

/** `{partition}` as one key segment: `/` becomes `,` (docs/pipeline-contracts.md). */
export function partitionSegment(partition: string): string {
  return partition.replaceAll('/', ',');
}

function cleanPrefix(item: ItemKeys): string {
  return `clean/${item.client}/${item.source}/${item.stream}/dt=${partitionSegment(item.partition)}/run=${item.runId}/${item.itemId}`;
}

/** Key of clean part `n` (1-based): `clean/…/{itemId}-part-{n}.csv.gz`, `n` zero-padded to 5 digits. */
export function cleanPartKey(item: ItemKeys, n: number): string {
  return `${cleanPrefix(item)}-part-${String(n).padStart(5, '0')}.csv.gz`;
}

/** Key of the Redshift COPY manifest listing the item's clean parts. */
export function cleanManifestKey(item: ItemKeys): string {
  return `${cleanPrefix(item)}-manifest.json`;
}

/** Key of the item's rejected records: `quarantine/{client}/{source}/{stream}/run={runId}/{itemId}.jsonl`. */
export function quarantineKey(item: ItemKeys): string {
  return `quarantine/${item.client}/${item.source}/${item.stream}/run=${item.runId}/${item.itemId}.jsonl`;
}
