import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import type { WrittenPart } from './PartWriter';

/** Redshift's COPY manifest format (docs/pipeline-contracts.md). */
export interface CopyManifest {
  entries: { url: string; mandatory: true; meta: { content_length: number } }[];
}

/** Builds the COPY manifest of the parts, with URLs from the store (`s3://…` or `file://…`). */
export function copyManifest(store: ObjectStore, parts: WrittenPart[]): CopyManifest {
  return {
    entries: parts.map((part) => ({ url: store.uri(part.key), mandatory: true, meta: { content_length: part.bytes } })),
  };
}
