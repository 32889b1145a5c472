import type { ExpectRecords } from '../../shared/config/schema/expectRecords';
import { RecordsPathError } from './errors';
import { readPath } from '../../shared/config/readPath';

// The one path reader lives with the config language (shared); re-exported for the extractor's callers.
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
 * The records a page holds under `path`: an array, a single object as one record, or none.
 * With `check`, a string or number there is a {@link RecordsPathError}, and so is an absent or
 * null path unless `check.expect` is `allow_missing`.
 */
export function recordsAt(body: unknown, path: string, check?: RecordsCheck): unknown[] {
  const selected = readPath(body, path);
  if (Array.isArray(selected)) return selected;
  const missing = selected === undefined || selected === null;
  if (check && !missing && typeof selected !== 'object')
    throw new RecordsPathError(check.url, `records path ${path} holds a ${typeof selected}, not a list or an object`);
  if (check && missing && check.expect !== 'allow_missing')
    throw new RecordsPathError(check.url, `records path ${path} is ${selected === null ? 'null' : 'not in the page'}`);
  return missing ? [] : [selected];
}
