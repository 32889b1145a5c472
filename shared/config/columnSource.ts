import { parsePath, PathSyntaxError, type ParsedPath } from '../paths';

/**
 * Where a column's value comes from: a path in the record, or a value of the request that
 * fetched it (the API does not repeat it in the data: TikTok's advertiser id, Amazon's profile
 * header, GA4's property in the URL).
 */
export type ColumnSource =
  | { kind: 'record'; path: ParsedPath }
  /** A partition value; `slice.start`/`slice.end` are the partition values slice_start/slice_end. */
  | { kind: 'partition'; name: string; written: string }
  /** A field of the parent record of a dependent call (one of `parent.fields`). */
  | { kind: 'parent'; field: string; written: string }
  /** A client param for this source; `client.name` is the client's name. */
  | { kind: 'client'; name: string; written: string };

/** A column `from` that names no value DIF can read. */
export class ColumnSourceError extends Error {
  constructor(
    readonly from: string,
    detail: string,
  ) {
    super(`from ${JSON.stringify(from)}: ${detail}`);
    this.name = 'ColumnSourceError';
  }
}

const REQUEST_VALUE = /^(partition|slice|parent|client)\.(.*)$/;

/**
 * Reads a column's `from`. `partition.*`, `slice.*`, `parent.*` and `client.*` are values of the
 * request, as in templates; anything else is a path in the record (`$.client.id` reads a record
 * field named `client`).
 *
 * @example
 * parseColumnSource('slice.start') // { kind: 'partition', name: 'slice_start', written: 'slice.start' }
 * parseColumnSource('metrics.spend').kind // 'record'
 */
export function parseColumnSource(from: string): ColumnSource {
  const request = REQUEST_VALUE.exec(from);
  if (!request) return { kind: 'record', path: recordPath(from) };
  const [, root, rest = ''] = request as unknown as [string, string, string];
  switch (root) {
    case 'slice':
      if (rest !== 'start' && rest !== 'end')
        throw new ColumnSourceError(from, 'a slice has slice.start and slice.end');
      return { kind: 'partition', name: `slice_${rest}`, written: from };
    case 'partition':
      if (!/^\w+$/.test(rest)) throw new ColumnSourceError(from, 'write partition.NAME, a name of the partition');
      return { kind: 'partition', name: rest, written: from };
    case 'parent':
      if (!/^[\w-]+(\.[\w-]+)*$/.test(rest))
        throw new ColumnSourceError(
          from,
          'write parent.FIELD, a field of the parent record (as listed in parent.fields)',
        );
      return { kind: 'parent', field: rest, written: from };
    default:
      if (!/^\w+$/.test(rest)) throw new ColumnSourceError(from, "write client.NAME, a param of the client's source");
      return { kind: 'client', name: rest, written: from };
  }
}

function recordPath(from: string): ParsedPath {
  try {
    return parsePath(from);
  } catch (error) {
    if (error instanceof PathSyntaxError) throw new ColumnSourceError(from, error.detail);
    throw error;
  }
}
