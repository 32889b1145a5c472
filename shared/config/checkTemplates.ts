import type { ConfigProblem } from './errors';
import { formatPath } from './formatIssues';
import type { SourceDefinition, StreamDefinition } from './schema';
import { pageVariables } from './paginate/registry';
import { expressionProblem, templateExpressions } from './template';

/** A path inside a YAML document → its 1-based line, when known. */
export type LineOf = (path: readonly (string | number)[]) => number | undefined;

/** A `{{ client.NAME }}` a source reads without a default: every client using the source must give NAME. */
export interface ClientParamUse {
  param: string;
  template: string;
  /** `sources/x.yml:12`, for the message at the client. */
  at: string;
}

const ROOTS = [
  'client',
  'secrets',
  'partition',
  'slice',
  'parent',
  'job',
  'cursor',
  'page',
  'run',
  'env',
  'today',
  'yesterday',
];
const ROOTS_HELP =
  'use client.*, secrets.*, partition.*, slice.*, parent.*, job.*, cursor, page.*, run.id, env.DIF_*, today or yesterday';
const PAGE_VARIABLES: readonly string[] = ['page.number', 'page.offset', 'page.cursor'];

/**
 * Checks every `{{ … }}` of a source definition as `dif validate` should: a variable name that
 * is not one, an unknown filter, malformed date arithmetic (`{{ today - 28D }}`), an unknown
 * variable, and variables the place cannot have
 * (`parent.*` outside a dependent stream, `slice.*` without `partition.date_range`, `cursor`
 * without `incremental`, `job.*` outside `async_job`, `page.*` outside a paged request or one
 * its paginate block does not provide). Each problem carries the template's line.
 * Returns the client params the templates read, for the check of each client.
 *
 * @example
 * const { problems, clientParams } = checkTemplates('sources/shop.yml', source, lineOf);
 */
export function checkTemplates(
  file: string,
  source: SourceDefinition,
  lineOf: LineOf,
): { problems: ConfigProblem[]; clientParams: ClientParamUse[] } {
  const problems: ConfigProblem[] = [];
  const clientParams: ClientParamUse[] = [];
  for (const [path, template] of templateStrings(source, [])) {
    const line = lineOf(path);
    const report = (message: string) =>
      problems.push({
        file,
        line,
        path: formatPath(path),
        message: `template ${JSON.stringify(template)}: ${message}`,
      });
    for (const expression of templateExpressions(template)) {
      const problem = expressionProblem(expression) ?? placeProblem(expression.variable, source, path);
      if (problem) report(problem);
      else if (
        expression.variable.startsWith('client.') &&
        expression.variable !== 'client.name' &&
        !expression.filters.some((filter) => filter.startsWith('default'))
      )
        clientParams.push({
          param: expression.variable.split('.')[1]!,
          template: `{{ ${expression.variable} }}`,
          at: line ? `${file}:${line}` : file,
        });
    }
  }
  return { problems, clientParams };
}

/** Why `variable` cannot be read where it is written, or undefined. */
function placeProblem(
  variable: string,
  source: SourceDefinition,
  path: readonly (string | number)[],
): string | undefined {
  const [root = ''] = variable.split('.');
  if (!ROOTS.includes(root)) return `unknown variable "${variable}"; ${ROOTS_HELP}`;
  if (root === 'env' && !/^env\.DIF_\w+$/.test(variable))
    return `only env.DIF_* variables can be read ("${variable}"), so a source cannot reach other process settings`;
  if (root === 'run' && variable !== 'run.id') return `unknown variable "${variable}"; the run offers run.id`;
  if ((root === 'today' || root === 'yesterday') && variable !== root)
    return `unknown variable "${variable}"; ${root} is a date (YYYY-MM-DD), e.g. {{ ${root} - P7D }}`;
  if (root === 'slice' && !['slice.start', 'slice.end'].includes(variable))
    return `unknown variable "${variable}"; a slice has slice.start and slice.end`;
  if (path[0] !== 'streams')
    return root === 'page'
      ? "page.* exists only in a paged request (the stream's request, or async_job.download.request)"
      : undefined;
  const stream = source.streams[String(path[1])] as StreamDefinition | undefined;
  if (!stream) return undefined;
  if (root === 'parent' && !stream.parent) return 'parent.* exists only in a dependent stream (one with `parent`)';
  if (root === 'slice' && !stream.partition?.date_range)
    return 'slice.* exists only in a stream with partition.date_range';
  if (root === 'cursor' && !stream.incremental) return 'cursor exists only in a stream with `incremental`';
  if (root === 'job' && path[2] !== 'async_job') return 'job.* exists only inside async_job';
  if (root === 'page') return pageProblem(variable, stream, path);
  return undefined;
}

/**
 * `page.*` exists in the request a paginate block walks — the stream's request, or the report
 * download request — and only the variables that block's style provides.
 */
function pageProblem(
  variable: string,
  stream: StreamDefinition,
  path: readonly (string | number)[],
): string | undefined {
  if (!PAGE_VARIABLES.includes(variable))
    return `unknown variable "${variable}"; paging offers ${PAGE_VARIABLES.join(', ')}`;
  const inRequest = path[2] === 'request';
  const inDownload = path[2] === 'async_job' && path[3] === 'download' && path[4] === 'request';
  const paginate = inRequest ? stream.paginate : inDownload ? stream.async_job?.download.paginate : undefined;
  if (!inRequest && !inDownload)
    return "page.* exists only in a paged request (the stream's request, or async_job.download.request)";
  const provided = paginate ? pageVariables(paginate).map((name) => `page.${name}`) : [];
  if (provided.includes(variable)) return undefined;
  const block = inRequest ? 'paginate' : 'async_job.download.paginate';
  return provided.length === 0
    ? `${block} type ${paginate?.type ?? 'none'} provides no page.* values (cursor paging gives page.cursor, offset page.offset, page_number page.number)`
    : `${block} type ${paginate!.type} provides ${provided.join(', ')}, not ${variable}`;
}

/** Every string holding `{{`, with its path, in document order. */
function* templateStrings(value: unknown, path: (string | number)[]): Generator<[(string | number)[], string]> {
  if (typeof value === 'string') {
    if (value.includes('{{')) yield [path, value];
  } else if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) yield* templateStrings(entry, [...path, index]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) yield* templateStrings(entry, [...path, key]);
  }
}
