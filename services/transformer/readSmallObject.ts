import { ObjectNotFoundError, type ObjectStore } from '../../shared/ports/ObjectStore';
import { PermanentError } from '../../shared/runtime/errors';

/** Largest bookkeeping object read whole (manifests and piece results list keys, not data). */
const MAX_SMALL_OBJECT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a bookkeeping object of the item whole, as text: a raw manifest, a piece's COPY manifest
 * or result. One that is missing or far too large cannot be fixed by a retry: a
 * {@link PermanentError} naming `what` and the key.
 *
 * @example
 * const text = await readSmallObject(store, manifestKey, 'raw manifest');
 */
export async function readSmallObject(store: ObjectStore, key: string, what: string): Promise<string> {
  let body;
  try {
    body = await store.get(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError)
      throw new PermanentError(
        'Transform.MissingObject',
        `${what} ${key} does not exist. Re-run the extraction of this item`,
        { cause: error },
      );
    throw error;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_SMALL_OBJECT_BYTES) {
      body.destroy();
      throw new PermanentError(
        'Transform.BadManifest',
        `${what} ${key} is larger than 64 MiB; it should only list objects. Check what wrote it`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
