import { z } from 'zod';
import { COLUMN_TYPE_HELP, parseColumnType } from '../columnType';

/** Names that become SQL identifiers, S3 key segments and queue message fields. */
export const identifier = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    'a lower-case identifier: letters, digits and _, starting with a letter or _, at most 63 characters',
  );

/** A JSONPath-like selector such as `$.data` or `$.paging.cursors.after` (dots and [n] only). */
export const jsonPath = z
  .string()
  .regex(/^\$(?:\.[A-Za-z0-9_@-]+|\[\d+\]|\[\*\])*$/, 'a path like $.data or $.paging.cursors.after');

/** A string that may contain `{{ … }}` templates (data only, see shared/config/template.ts). */
export const templated = z.string();

/** ISO-8601 duration such as PT1S, P1D, P7D. */
export const isoDuration = z
  .string()
  .regex(
    /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/,
    'an ISO-8601 duration like P1D, P7D or PT1H',
  );

/** A human duration like `500ms`, `1s`, `1m`, `1h`, `12h`, `1d`. */
export const shortDuration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration like 500ms, 1s, 1m, 1h or 1d');

export const columnType = z.string().refine((value) => parseColumnType(value) !== undefined, {
  error: (issue) => `"${String(issue.input)}" is not a column type; use ${COLUMN_TYPE_HELP}`,
});

export const scalar = z.union([z.string(), z.number(), z.boolean()]);
