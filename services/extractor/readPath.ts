import type { ExpectRecords } from '../../shared/config/schema/expectRecords';
import { RecordsPathError } from './errors';

/**
 * Reads a `$.a.b[0]` path (the subset the config schema allows) from a parsed JSON value.
 * `[*]` flattens arrays. Returns undefined when any step is missing.
 *
 * @example
 * readPath({ paging: { cursors: { after: 'x' } } }, '$.paging.cursors.after'); // 'x'
 */
export function readPath(value: unknown, path: string): unknown {
  const steps = path.replace(/^\$/, '').match(/\.[^.[]+|\[\d+\]|\[\*\]/g) ?? [];
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || current === undefined) return undefined;
    if (step === '[*]') {
      if (!Array.isArray(current)) return undefined;
      continue;
    }
    if (step.startsWith('[')) {
      current = Array.isArray(current) ? current[Number(step.slice(1, -1))] : undefined;
    } else if (Array.isArray(current)) {
      current = current.map((entry) =>
        entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[step.slice(1)] : undefined,
      );
    } else {
      current = typeof current === 'object' ? (current as Record<string, unknown>)[step.slice(1)] : undefined;
    }
  }
  return current;
}

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
