import { ObjectNotFoundError, type ObjectStore } from '../../shared/ports/ObjectStore';
import { rawManifest, type RawManifest } from '../../shared/messages/rawReady';
import { formatZodIssues } from '../../shared/config/formatIssues';
import { PermanentError } from '../../shared/runtime/errors';

/** Largest raw manifest read (it lists object keys, not data; 10,000s of pages fit easily). */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

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

async function readSmallObject(store: ObjectStore, key: string, what: string): Promise<string> {
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
    if (size > MAX_MANIFEST_BYTES) {
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
