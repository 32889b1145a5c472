import type { ExpectRecords } from '../../shared/config/schema/expectRecords';
import { readPath, selectRecords } from '../../shared/paths';
import { RecordsPathError } from './errors';

/** Values are read by DIF's one path language (shared/paths), as the transformer reads them. */
export { readPath };

/** Reads a dotted field (`id`, `account.id`) of a record. */
export function readField(record: unknown, dotted: string): unknown {
  return readPath(record, `$.${dotted}`);
}

/** How strictly {@link recordsAt} reads a page whose records the extractor itself uses. */
export interface RecordsCheck {
  /** The page's URL without secrets, for the error. */
  url: string;
  expect: ExpectRecords;
}

/**
 * The records a page holds under `path`: the elements of each list there, each object there as
 * one record, exactly as the transformer's streaming decoder reads them from the stored page.
 * With `check`, a string or number there is a {@link RecordsPathError}, and so is an absent or
 * null path unless `check.expect` is `allow_missing`.
 */
export function recordsAt(body: unknown, path: string, check?: RecordsCheck): unknown[] {
  // The same reading as the transformer's streaming decoder: `$.pages[*].items` is every item of every page.
  const found = selectRecords(body, path);
  if (check && found.scalar)
    throw new RecordsPathError(
      check.url,
      `records path ${path} holds a ${typeof found.scalar.value}, not a list or an object`,
    );
  if (check && found.targets === 0 && check.expect !== 'allow_missing')
    throw new RecordsPathError(check.url, `records path ${path} is ${found.nullTarget ? 'null' : 'not in the page'}`);
  return found.records;
}
