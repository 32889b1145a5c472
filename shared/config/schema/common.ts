import { z } from 'zod';
import { parsePath, parseRecordsPath, PathSyntaxError } from '../../paths';
import { COLUMN_TYPE_HELP, parseColumnType } from '../columnType';

/** Names that become SQL identifiers, S3 key segments and queue message fields. */
export const identifier = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    'a lower-case identifier: letters, digits and _, starting with a letter or _, at most 63 characters',
  );

/**
 * A path of DIF's one path language (shared/paths) from the document root: `$.data`,
 * `$.paging.cursors.after`, `$.pages[*].items`, `$.errors[0].code`, `$.rows[?type=='total'].value`.
 */
export const jsonPath = z
  .string()
  .regex(/^\$/, 'a path like $.data or $.paging.cursors.after (starting with $)')
  .superRefine((value, context) => {
    const problem = pathProblem(value, parsePath);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

/** Where the records are: a path without filters, read alike by the extractor and the streaming decoder. */
export const recordsPath = z
  .string()
  .regex(/^\$/, 'a path like $.data or $.pages[*].items (starting with $)')
  .superRefine((value, context) => {
    const problem = pathProblem(value, parseRecordsPath);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

function pathProblem(value: string, parse: (path: string) => unknown): string | undefined {
  if (!value.startsWith('$')) return undefined;
  try {
    parse(value);
    return undefined;
  } catch (error) {
    if (error instanceof PathSyntaxError) return error.detail;
    throw error;
  }
}

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
