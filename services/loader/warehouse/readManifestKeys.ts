import { z } from 'zod';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { InvalidManifestError } from '../errors';

const manifestSchema = z.object({
  entries: z.array(z.object({ url: z.string().min(1), mandatory: z.boolean().optional() })),
});

/**
 * Reads a Redshift-format COPY manifest and returns the object-store keys of its parts, in order.
 * A missing manifest throws the store's ObjectNotFoundError (retryable: it may still be written).
 *
 * @example
 * await readManifestKeys(store, 'clean/acme/ads/campaigns/dt=all/run=r1/abc-manifest.json');
 * // ['clean/acme/ads/campaigns/dt=all/run=r1/abc-part-0.csv.gz']
 */
export async function readManifestKeys(objectStore: ObjectStore, manifestKey: string): Promise<string[]> {
  const text = await readText(objectStore, manifestKey);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidManifestError(manifestKey, 'it is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidManifestError(manifestKey, 'expected {"entries":[{"url": …, "mandatory": true}]}');
  return parsed.data.entries.map((entry) => {
    try {
      return objectStore.keyFromUri(entry.url);
    } catch (error) {
      throw new InvalidManifestError(
        manifestKey,
        `entry ${entry.url} does not belong to this object store (${(error as Error).message})`,
      );
    }
  });
}

async function readText(objectStore: ObjectStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await objectStore.get(key))
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
