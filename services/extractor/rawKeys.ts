import type { WorkItem } from '../../shared/messages/workItem';

/** `raw/{client}/{source}/{stream}/dt={partition}/run={runId}/` (pipeline-contracts.md). */
export function rawPrefix(item: WorkItem): string {
  return `raw/${item.client}/${item.source}/${item.stream}/dt=${item.partition.replace(/\//g, ',')}/run=${item.runId}/`;
}

/** Key of raw object `seq` of an item, e.g. `…/3f2a…-000001.json.gz`. */
export function rawObjectKey(item: WorkItem, seq: number, extension: string): string {
  return `${rawPrefix(item)}${item.itemId}-${String(seq).padStart(6, '0')}.${extension}`;
}

/** Key of the raw manifest listing an item's raw objects in order. */
export function rawManifestKey(item: WorkItem): string {
  return `${rawPrefix(item)}${item.itemId}-manifest.json`;
}
