import { PathSyntaxError } from './PathSyntaxError';
import { parsePath } from './parsePath';
import { selectPath } from './selectPath';
import type { ParsedPath } from './types';

/** What a records path found in a parsed document. */
export interface SelectedRecords {
  /** The records: the elements of every list at the path, and every object there as one record. */
  records: unknown[];
  /** Lists and objects found at the path (0: the path is missing or only null). */
  targets: number;
  /** A null was found at the path. */
  nullTarget: boolean;
  /** The first string, number or boolean found at the path: never records, always an error. */
  scalar?: { value: unknown };
}

/**
 * Parses a records path: a path without filters or negative indexes (a streaming decoder
 * must decide from the keys alone), a trailing `[*]` dropped (the elements of the list found
 * there are the records anyway).
 *
 * @example
 * parseRecordsPath('$.pages[*].items[*]').steps.length // 3
 */
export function parseRecordsPath(text: string): ParsedPath {
  const parsed = parsePath(text);
  if (!text.startsWith('$')) throw new PathSyntaxError(text, 'a records path starts with $, e.g. $.data');
  for (const step of parsed.steps) {
    if (step.kind === 'filter')
      throw new PathSyntaxError(text, 'a records path cannot filter; select the list and use transform.filter');
    if (step.kind === 'index' && step.index < 0)
      throw new PathSyntaxError(text, 'a records path cannot count from the end ([-1]); use [*] or an index from 0');
  }
  const steps = parsed.steps.slice();
  // One trailing [*] only: `$[*][*]` is the elements of every member, not the document.
  if (steps.length > 0 && steps[steps.length - 1]!.kind === 'all') steps.pop();
  return { text, steps, definite: parsed.definite };
}

/**
 * The records a parsed JSON document holds at a records path, read exactly as the streaming
 * decoder of the transformer reads them from the raw bytes, so the extractor (which counts the
 * records of a page to page on) and the transformer (which writes them) agree. `$.pages[*].items`
 * over two pages of 2 and 1 items is 3 records.
 *
 * @example
 * selectRecords({ pages: [{ items: [1, 2] }, { items: [3] }] }, '$.pages[*].items').records // [1, 2, 3]
 */
export function selectRecords(document: unknown, path: string | ParsedPath): SelectedRecords {
  const parsed = typeof path === 'string' ? parseRecordsPath(path) : path;
  const found: SelectedRecords = { records: [], targets: 0, nullTarget: false };
  for (const node of selectPath(document, parsed)) {
    if (node === null) found.nullTarget = true;
    else if (Array.isArray(node)) {
      found.targets++;
      for (const element of node) found.records.push(element);
    } else if (typeof node === 'object') {
      found.targets++;
      found.records.push(node);
    } else found.scalar ??= { value: node };
  }
  return found;
}
