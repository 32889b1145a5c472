import type { ItemRecord } from '../../shared/ports';

/** The name a person knows an item by, the same as the Map item label: `client/source/stream/partition`. */
export function itemLabel(item: Pick<ItemRecord, 'client' | 'source' | 'stream' | 'partition'>): string {
  return `${item.client}/${item.source}/${item.stream}/${item.partition}`;
}
