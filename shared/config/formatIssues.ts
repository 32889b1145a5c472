import type { z } from 'zod';

/** Renders a path inside a document the way a person reads it: `streams.campaigns.load.mode`. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** One line per issue: `path: what was wrong (expected …)`. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${describeIssue(issue)}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (check the spelling; see the JSON Schema from \`dif schema\`)`;
    case 'invalid_type':
      return issue.message.includes('received undefined')
        ? `missing required field (expected ${issue.expected})`
        : issue.message.replace(/^Invalid input: /, '');
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) return `${issue.message}`;
      return issue.message;
    default:
      return issue.message;
  }
}
