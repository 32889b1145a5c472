import { basename, dirname } from 'node:path';
import type { ConfigProblem } from './errors';
import type { ClientDefinition, SourceDefinition } from './schema';
import { checkColumns } from './checkColumns';
import { checkTemplates, type ClientParamUse, type LineOf } from './checkTemplates';
import { pageParamsIn, paginateStopHint, paginateReads, pageVariables } from './paginate/registry';

interface Located<T> {
  file: string;
  value?: T;
  /** The line of a path inside the file, when the file parsed. */
  lineOf?: LineOf;
}

/**
 * Rules that span fields or files, which the per-file schema cannot express. Every problem
 * carries the line of the path it names.
 */
export function crossCheck(
  config: { sources: Map<string, SourceDefinition> },
  sources: Located<SourceDefinition>[],
  clients: Located<ClientDefinition>[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const clientParams = new Map<string, ClientParamUse[]>();
  const fileOfSource = new Map<string, string>();
  for (const { file, value, lineOf } of sources) {
    if (!value) continue;
    if (basename(file).replace(/\.ya?ml$/, '') !== value.name) {
      const folder = basename(dirname(file));
      problems.push({ file, path: 'name', message: `source "${value.name}" must live in ${folder}/${value.name}.yml` });
    }
    const earlier = fileOfSource.get(value.name);
    if (earlier) {
      problems.push({
        file,
        path: 'name',
        message: `source "${value.name}" is also defined in ${earlier}; rename one of them (a client names a source by this name)`,
      });
    }
    fileOfSource.set(value.name, file);
    for (const [streamName, stream] of Object.entries(value.streams)) {
      problems.push(...checkTable(file, `streams.${streamName}`, stream));
      problems.push(...checkExtraction(file, value, streamName));
      for (const [childName, child] of Object.entries(stream.children ?? {}))
        problems.push(...checkTable(file, `streams.${streamName}.children.${childName}`, child));
    }
    problems.push(...checkTableNames(file, value));
    const templates = checkTemplates(file, value, lineOf ?? (() => undefined));
    problems.push(...templates.problems.sort((x, y) => (x.line ?? 0) - (y.line ?? 0)));
    const columns = checkColumns(file, value, lineOf ?? (() => undefined));
    problems.push(...columns.problems);
    clientParams.set(value.name, [...templates.clientParams, ...columns.clientParams]);
  }
  for (const { file, value } of clients) {
    if (!value) continue;
    if (basename(file).replace(/\.ya?ml$/, '') !== value.client) {
      problems.push({
        file,
        path: 'client',
        message: `client "${value.client}" must live in clients/${value.client}.yml`,
      });
    }
    for (const [sourceName, clientSource] of Object.entries(value.sources)) {
      const source = config.sources.get(sourceName);
      if (!source) {
        problems.push({
          file,
          path: `sources.${sourceName}`,
          message: `no source named "${sourceName}" (known: ${[...config.sources.keys()].join(', ') || 'none'}); add sources/${sourceName}.yml or fix the name`,
        });
        continue;
      }
      problems.push(...checkClientParams(file, sourceName, clientSource.params, clientParams.get(sourceName) ?? []));
      const allowPartial = Array.isArray(clientSource.allow_partial) ? clientSource.allow_partial : [];
      for (const streamName of [...(clientSource.streams ?? []), ...allowPartial]) {
        if (!(streamName in source.streams)) {
          problems.push({
            file,
            path: `sources.${sourceName}.${(clientSource.streams ?? []).includes(streamName) ? 'streams' : 'allow_partial'}`,
            message: `source "${sourceName}" has no stream "${streamName}" (it has: ${Object.keys(source.streams).join(', ')})`,
          });
        }
      }
    }
  }
  const lines = new Map([...sources, ...clients].map((located) => [located.file, located.lineOf]));
  return problems.map((problem) =>
    problem.line === undefined ? { ...problem, line: lines.get(problem.file)?.(pathSegments(problem.path)) } : problem,
  );
}

/** `streams.orders.primary_key` or `a[0].b` → its segments. */
function pathSegments(path: string): (string | number)[] {
  return [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] !== undefined ? Number(match[2]) : match[1]!,
  );
}

/** Params a source's templates read that the client does not give (a `| default:…` makes one optional). */
function checkClientParams(
  file: string,
  sourceName: string,
  params: Record<string, unknown> | undefined,
  uses: ClientParamUse[],
): ConfigProblem[] {
  const given = Object.keys(params ?? {});
  const reported = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const use of uses) {
    if (given.includes(use.param) || reported.has(use.param)) continue;
    reported.add(use.param);
    problems.push({
      file,
      path: params ? `sources.${sourceName}.params` : `sources.${sourceName}`,
      message: `source "${sourceName}" reads ${use.template} (${use.at}) but this client gives no param "${use.param}" (it gives: ${given.join(', ') || 'none'}); add it${use.template.startsWith('{{') ? ', or give the template a | default:… filter' : ''}`,
    });
  }
  return problems;
}

/** Load rules of one output table (a stream or a child table). */
function checkTable(
  file: string,
  at: string,
  table: { load: { mode: string }; primary_key: string[]; columns: Record<string, unknown> },
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (table.load.mode === 'merge' && table.primary_key.length === 0) {
    problems.push({
      file,
      path: `${at}.primary_key`,
      message: 'merge loads need a primary_key (the columns that identify a record)',
    });
  }
  for (const key of table.primary_key) {
    if (!(key in table.columns))
      problems.push({
        file,
        path: `${at}.primary_key`,
        message: `"${key}" is not a declared column (declared: ${Object.keys(table.columns).join(', ')})`,
      });
  }
  return problems;
}

/** A child table must not land in a table that a stream or another child of the source also loads. */
function checkTableNames(file: string, source: SourceDefinition): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const owners = new Map<string, string>();
  for (const [streamName, stream] of Object.entries(source.streams))
    owners.set(stream.load.table, `streams.${streamName}`);
  for (const [streamName, stream] of Object.entries(source.streams)) {
    for (const [childName, child] of Object.entries(stream.children ?? {})) {
      const at = `streams.${streamName}.children.${childName}`;
      const owner = owners.get(child.load.table);
      if (owner)
        problems.push({
          file,
          path: `${at}.load.table`,
          message: `table "${child.load.table}" is already loaded by ${owner}; give the child table its own name`,
        });
      else owners.set(child.load.table, at);
    }
  }
  return problems;
}

/** Extraction rules that span a stream's fields or two streams of a source. */
function checkExtraction(file: string, source: SourceDefinition, streamName: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const stream = source.streams[streamName]!;
  const at = `streams.${streamName}`;
  if (!stream.request && !stream.async_job)
    problems.push({
      file,
      path: `${at}.request`,
      message:
        'required field is missing (expected the request that fetches the stream; only async_job reports may omit it)',
    });
  if (stream.parent) {
    const parent = source.streams[stream.parent.stream];
    if (!parent)
      problems.push({
        file,
        path: `${at}.parent.stream`,
        message: `no stream "${stream.parent.stream}" in this source (it has: ${Object.keys(source.streams).join(', ')})`,
      });
    else if (parent.parent)
      problems.push({
        file,
        path: `${at}.parent.stream`,
        message: `"${stream.parent.stream}" is itself a dependent stream; point parent at the top-level stream`,
      });
    else if (parent.format.type !== 'json')
      problems.push({
        file,
        path: `${at}.parent.stream`,
        message: `the parent's records are read from its JSON pages, but "${stream.parent.stream}" has format ${parent.format.type}`,
      });
    if (stream.async_job)
      problems.push({
        file,
        path: `${at}.parent`,
        message: 'a stream cannot be both dependent (parent) and an async report (async_job)',
      });
  }
  problems.push(...checkDiscovery(file, source, streamName));
  const paginate = stream.paginate;
  if (!stream.async_job && paginateReads(paginate) === 'body' && stream.format.type !== 'json') {
    problems.push({
      file,
      path: `${at}.paginate`,
      message: `paginate type ${paginate.type} reads the response body, which needs format json (this stream is ${stream.format.type}); read totals and cursors from headers ({ header: … }), or use link_header or page_number`,
    });
  }
  problems.push(...checkPageParams(file, `${at}.paginate`, paginate, stream.request));
  if (stream.async_job?.download.paginate)
    problems.push(
      ...checkPageParams(
        file,
        `${at}.async_job.download.paginate`,
        stream.async_job.download.paginate,
        stream.async_job.download.request,
      ),
    );
  problems.push(...checkPagingEnds(file, at, stream));
  if (stream.incremental && stream.format.type !== 'json') {
    problems.push({
      file,
      path: `${at}.incremental`,
      message: 'the incremental cursor is read from JSON records; this stream is not format json',
    });
  }
  return problems;
}

/**
 * `partition.from_stream` names a stream Plan can request once per client: a top-level JSON
 * stream of the source without partitions, parent, async job or cursor of its own.
 */
function checkDiscovery(file: string, source: SourceDefinition, streamName: string): ConfigProblem[] {
  const name = source.streams[streamName]!.partition?.from_stream;
  if (name === undefined) return [];
  const path = `streams.${streamName}.partition.from_stream`;
  const discovery = source.streams[name];
  const why = !discovery
    ? `no stream "${name}" in this source (it has: ${Object.keys(source.streams).join(', ')})`
    : name === streamName
      ? 'a stream cannot discover its own partitions; name the stream that lists them (e.g. ad_accounts)'
      : discovery.partition
        ? `"${name}" is partitioned itself; Plan requests a discovery stream once per client, so it must have no partition`
        : discovery.parent || discovery.async_job || discovery.incremental
          ? `"${name}" is ${discovery.parent ? 'a dependent stream' : discovery.async_job ? 'an async report' : 'incremental'}; discovery needs a plain request Plan can make`
          : discovery.format.type !== 'json'
            ? `the discovered records are read from JSON pages, but "${name}" has format ${discovery.format.type}`
            : undefined;
  return why === undefined ? [] : [{ file, path, message: why }];
}

type Paginate = SourceDefinition['streams'][string]['paginate'];
type RequestDefinition = NonNullable<SourceDefinition['streams'][string]['request']>;

/**
 * Page values must have somewhere to go: `in: body` needs a JSON or form body to put them in;
 * `in: template` needs a `{{ page.* }}` in the request, or every page would be the first.
 */
function checkPageParams(
  file: string,
  at: string,
  paginate: Paginate,
  request: RequestDefinition | undefined,
): ConfigProblem[] {
  const where = pageParamsIn(paginate);
  if (where === 'body' && request?.body?.type !== 'json' && request?.body?.type !== 'form')
    return [
      {
        file,
        path: `${at}.in`,
        message: `paging values go in the body, but the request has ${request?.body ? `an ${request.body.type} body` : 'no body'}; give it a JSON or form body, or write {{ page.* }} into it with in: template`,
      },
    ];
  if (where === 'template' && !JSON.stringify(request ?? {}).match(/\{\{\s*page\./))
    return [
      {
        file,
        path: `${at}.in`,
        message: `paging values go only where the request says {{ page.${pageVariables(paginate).join(' | page.')} }}, but the request has none; add one, or set in: query, body or header`,
      },
    ];
  return [];
}

/**
 * Paging must have a way to stop. Offset and page-number paging without a total end on the
 * first empty page, so the records of a page must be countable while it streams: they are for
 * JSON (parsed), JSON lines and CSV (lines) and XML (record elements), not inside a zip, nor
 * inside gzip unless the page is JSON (which is decompressed to be parsed).
 */
function checkPagingEnds(file: string, at: string, stream: SourceDefinition['streams'][string]): ConfigProblem[] {
  const { compression, type } = stream.format;
  const uncountable = compression === 'zip' || (compression === 'gzip' && type !== 'json');
  if (!uncountable) return [];
  const walks: [string, Paginate | undefined][] = [
    [`${at}.paginate`, stream.paginate],
    [`${at}.async_job.download.paginate`, stream.async_job?.download.paginate],
  ];
  return walks
    .filter((walk): walk is [string, Paginate] => walk[1] !== undefined && paginateReads(walk[1]) === 'count')
    .map(([path, paginate]) => ({
      file,
      path,
      message: `${paginate.type} paging without a total ends only on an empty${'stop_on_short_page' in paginate && paginate.stop_on_short_page ? ' or short' : ''} page, and the records of a ${compression}-compressed ${type} page cannot be counted while it streams, so paging could never stop; ${paginateStopHint(paginate)}, or use link_header`,
    }));
}
