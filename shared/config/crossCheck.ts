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
      if (stream.load.mode === 'merge' && stream.primary_key.length === 0) {
        problems.push({ file, path: `streams.${streamName}.primary_key`, message: 'merge loads need a primary_key (the columns that identify a record)' });
      }
      for (const key of stream.primary_key) {
        if (!(key in stream.columns)) problems.push({ file, path: `streams.${streamName}.primary_key`, message: `"${key}" is not a declared column (declared: ${Object.keys(stream.columns).join(', ')})` });
      }
    }
    for (const variable of templateVariables(JSON.stringify(value))) {
      const root = variable.split('.')[0];
      if (!['client', 'secrets', 'partition', 'slice', 'page', 'parent', 'job', 'env', 'run', 'cursor'].includes(root ?? '')) {
        problems.push({ file, path: '(template)', message: `template variable "${variable}" is unknown; use client.*, secrets.*, partition.*, slice.*, page.*, parent.*, job.*, cursor or env.DIF_*` });
      }
    }
  }
  for (const { file, value } of clients) {
    if (!value) continue;
    if (basename(file).replace(/\.ya?ml$/, '') !== value.client) {
      problems.push({ file, path: 'client', message: `client "${value.client}" must live in clients/${value.client}.yml` });
    }
    for (const [sourceName, clientSource] of Object.entries(value.sources)) {
      const source = config.sources.get(sourceName);
      if (!source) {
        problems.push({ file, path: `sources.${sourceName}`, message: `no source named "${sourceName}" (known: ${[...config.sources.keys()].join(', ') || 'none'}); add sources/${sourceName}.yml or fix the name` });
        continue;
      }
      for (const streamName of clientSource.streams ?? []) {
        if (!(streamName in source.streams)) {
          problems.push({ file, path: `sources.${sourceName}.streams`, message: `source "${sourceName}" has no stream "${streamName}" (it has: ${Object.keys(source.streams).join(', ')})` });
        }
      }
    }
  }
  return problems;
}
