import type { WorkItem } from '../../../shared/messages/workItem';
import { cleanManifestKey, cleanPartKey } from '../objectKeys';

type ItemKeys = Pick<WorkItem, 'client' | 'source' | 'stream' | 'partition' | 'runId' | 'itemId'>;

/** Piece `index` named like an item of its own, `{itemId}-r{index}` (4 digits), beside the item's keys. */
function pieceOf(item: ItemKeys, index: number): ItemKeys {
  return { ...item, itemId: `${item.itemId}-r${String(index).padStart(4, '0')}` };
}

/** `clean/…/{itemId}-r{index}-part-{n}.csv.gz`: a piece's clean part, listed in the item's COPY manifest. */
export function piecePartKey(item: ItemKeys, index: number, n: number): string {
  return cleanPartKey(pieceOf(item, index), n);
}

/** `clean/…/{itemId}-r{index}-manifest.json`: the parts of one piece, merged into the item's manifest. */
export function pieceManifestKey(item: ItemKeys, index: number): string {
  return cleanManifestKey(pieceOf(item, index));
}

/** `clean/…/{itemId}-r{index}-rejects.jsonl`: a piece's rejected records, merged into the item's quarantine. */
export function pieceRejectsKey(item: ItemKeys, index: number): string {
  return pieceManifestKey(item, index).replace(/-manifest\.json$/, '-rejects.jsonl');
}

/** `clean/…/{itemId}-r{index}-result.json`: what a piece sent as a message became, for the last piece to merge. */
export function pieceResultKey(item: ItemKeys, index: number): string {
  return pieceManifestKey(item, index).replace(/-manifest\.json$/, '-result.json');
}
