import { basename } from 'node:path';
import type { ConfigProblem } from './errors';
import type { ClientDefinition, SourceDefinition } from './schema';
import { templateVariables } from './template';

interface Located<T> {
  file: string;
  value?: T;
}

/** Rules that span fields or files, which the per-file schema cannot express. */
export function crossCheck(
  config: { sources: Map<string, SourceDefinition> },
  sources: Located<SourceDefinition>[],
  clients: Located<ClientDefinition>[],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { file, value } of sources) {
    if (!value) continue;
    if (basename(file).replace(/\.ya?ml$/, '') !== value.name) {
      problems.push({ file, path: 'name', message: `source "${value.name}" must live in sources/${value.name}.yml` });
    }
    for (const [streamName, stream] of Object.entries(value.streams)) {
      problems.push(...checkTable(file, `streams.${streamName}`, stream));
      problems.push(...checkExtraction(file, value, streamName));
      for (const [childName, child] of Object.entries(stream.children ?? {}))
        problems.push(...checkTable(file, `streams.${streamName}.children.${childName}`, child));
    }
    problems.push(...checkTableNames(file, value));
    for (const variable of templateVariables(JSON.stringify(value))) {
      const root = variable.split('.')[0];
      if (root === 'env' && !/^env\.DIF_\w+$/.test(variable)) {
        problems.push({
          file,
          path: '(template)',
          message: `template variable "${variable}": only env.DIF_* variables can be read, so a source cannot reach other process settings`,
        });
      }
      if (
        !['client', 'secrets', 'partition', 'slice', 'page', 'parent', 'job', 'env', 'run', 'cursor'].includes(
          root ?? '',
        )
      ) {
        problems.push({
          file,
          path: '(template)',
          message: `template variable "${variable}" is unknown; use client.*, secrets.*, partition.*, slice.*, page.*, parent.*, job.*, cursor or env.DIF_*`,
        });
      }
    }
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
  const paginate = stream.paginate;
  const paging = paginate.type;
  const readsBody =
    paging === 'cursor' ||
    paging === 'next_url' ||
    (paginate.type === 'page_number' && (paginate.total_pages !== undefined || paginate.total_records !== undefined)) ||
    (paginate.type === 'offset' && paginate.total !== undefined);
  if (!stream.async_job && readsBody && stream.format.type !== 'json') {
    problems.push({
      file,
      path: `${at}.paginate`,
      message: `paginate type ${paging} reads the response body, which needs format json (this stream is ${stream.format.type}); use offset with total_header, link_header or page_number`,
    });
  }
  if (stream.incremental && stream.format.type !== 'json') {
    problems.push({
      file,
      path: `${at}.incremental`,
      message: 'the incremental cursor is read from JSON records; this stream is not format json',
    });
  }
  return problems;
}
