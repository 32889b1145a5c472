import { ObjectNotFoundError, type ObjectStore } from '../../shared/ports/ObjectStore';
import { rawManifest, type RawManifest } from '../../shared/messages/rawReady';
import { formatZodIssues } from '../../shared/config/formatIssues';
import { PermanentError } from '../../shared/runtime/errors';
import { readSmallObject } from './readSmallObject';

/**
 * Reads and validates the raw manifest the extractor wrote next to the raw objects.
 * A missing or malformed manifest cannot be fixed by a retry: it is a {@link PermanentError}.
 */
export async function readRawManifest(store: ObjectStore, key: string): Promise<RawManifest> {
  const text = await readSmallObject(store, key, 'raw manifest');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PermanentError(
      'Transform.BadManifest',
      `raw manifest ${key} is not JSON (${(error as Error).message}). Re-run the extraction of this item`,
    );
  }
  const parsed = rawManifest.safeParse(json);
  if (!parsed.success) {
    throw new PermanentError(
      'Transform.BadManifest',
      `raw manifest ${key} is invalid: ${formatZodIssues(parsed.error.issues).join('; ')}. The extractor and transformer versions may differ; redeploy both and re-run the item`,
    );
  }
  return parsed.data;
}

/** Opens a raw object the manifest lists; one that is gone cannot come back by a retry. */
export async function openRawObject(store: ObjectStore, key: string): Promise<AsyncIterable<Buffer>> {
  try {
    return await store.get(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError)
      throw new PermanentError(
        'Transform.MissingObject',
        `raw object ${key} is listed in the raw manifest but does not exist. Re-run the extraction of this item`,
        { cause: error },
      );
    throw error;
  }
}
