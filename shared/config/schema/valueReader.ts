import { z } from 'zod';
import { jsonPath } from './common';

/** Capturing groups of a pattern (named ones included), or the reason it does not compile. */
function captureGroups(pattern: string): number | string {
  try {
    // An alternative that matches the empty string: exec always matches and reports every group.
    return new RegExp(`${pattern}|`).exec('')!.length - 1;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

/** A regular expression with exactly one capturing group: the part of a text that is the value. */
export const capturePattern = z
  .string()
  .superRefine((pattern, context) => {
    const groups = captureGroups(pattern);
    if (typeof groups === 'string')
      context.addIssue({ code: 'custom', message: `not a regular expression (${groups})` });
    else if (groups !== 1)
      context.addIssue({
        code: 'custom',
        message: `needs exactly one capturing group ( … ) around the value to keep, it has ${groups}; write other groups as (?: … )`,
      });
  })
  .describe(
    'A regular expression with one capturing group, applied to the text found; the group is the value (no match: no value). Example: "duplicate of : (\\S+)"',
  );

/**
 * A `$.path` that may hold `{{ … }}` templates (rendered with the work item's values before it
 * is read). Checked with every template taken as one key.
 */
export const templatedJsonPath = z
  .string()
  .refine((path) => jsonPath.safeParse(path.replace(/\{\{[^}]*\}\}/g, 'x')).success, {
    message: 'a path like $.call_count or $.{{ partition.account_id }}[0].call_count',
  });

/** Where a value is read: a body path, a header (whole, or a path inside its JSON), and an optional pattern. */
export const valueLocation = z
  .strictObject({
    path: jsonPath
      .optional()
      .describe(
        'Path in the JSON (or XML) body, or inside the JSON of `header` when both are given. Example: $.detail',
      ),
    header: z
      .string()
      .min(1)
      .optional()
      .describe('Response header to read (its first value). With `path`, the header holds JSON. Example: Location'),
    pattern: capturePattern.optional(),
  })
  .refine((location) => location.path !== undefined || location.header !== undefined, {
    message: 'give `path` (in the body), `header`, or both (a path inside a JSON header)',
  });

/**
 * A value read from a response: the job id, a status, a cursor, a next URL, a total, a usage
 * figure. A plain `$.path` reads the body; the object form adds headers and a pattern.
 */
export const valueReader = z
  .union([jsonPath, valueLocation])
  .describe(
    'Where a value is in a response: a path like $.report_id, or { path, header, pattern }. Example: { path: $.detail, pattern: "duplicate of : (\\S+)" }',
  );

export type ValueReader = z.infer<typeof valueReader>;
export type ValueLocation = z.infer<typeof valueLocation>;
