import type { ColumnSpec, StreamDefinition } from '../../shared/config';
import type { CatalogEntry } from './readCatalog';

/** One stream of a platform as `dif catalog show` prints it (and `--json` returns it). */
export interface StreamSummary {
  stream: string;
  description?: string;
  table: string;
  load: string;
  primary_key: string[];
  /** How Plan splits it: per discovered or listed value, per date slice. */
  partition: string;
  lookback?: string;
  async: boolean;
  columns: { name: string; type: string }[];
  children: { table: string; explode: string; primary_key: string[]; columns: { name: string; type: string }[] }[];
}

export interface PlatformSummary {
  platform: string;
  description: string;
  file: string;
  base_url: string;
  auth: string;
  credentials: Record<string, string>;
  required_params: string[];
  optional_params: { name: string; default: string }[];
  streams: StreamSummary[];
}

const typeOf = (spec: ColumnSpec): string => (typeof spec === 'string' ? spec : spec.type);
const columnsOf = (columns: Record<string, ColumnSpec>) =>
  Object.entries(columns).map(([name, spec]) => ({ name, type: typeOf(spec) }));

/**
 * A template as a person reads it: `{{ client.attribution_window | default:P28D }}` is
 * `P28D (client param attribution_window)`, `{{ client.start_date }}` is `<start_date>`.
 */
export function readable(template: string): string {
  return template.replace(
    /\{\{\s*([^}|]+?)\s*(?:\|\s*default\s*:\s*([^}|]*?)\s*)?\}\}/g,
    (_match, variable: string, fallback?: string) => {
      const param = /^client\.(\w+)$/.exec(variable)?.[1];
      if (!param) return `<${variable}>`;
      return fallback === undefined ? `<${param}>` : `${fallback || '(none)'} (client param ${param})`;
    },
  );
}

/** The auth type, with where an API key goes or where OAuth tokens come from. */
export function authOf(auth: CatalogEntry['source']['auth']): string {
  if (auth.type === 'api_key') return `api_key (${auth.in} ${auth.name})`;
  if ('token_url' in auth && typeof auth.token_url === 'string')
    return `${auth.type} (tokens from ${readable(auth.token_url)})`;
  return auth.type;
}

export function partitionOf(stream: StreamDefinition): string {
  const partition = stream.partition;
  const parts: string[] = [];
  if (partition?.from_stream)
    parts.push(`${Object.keys(partition.fields ?? {}).join(', ')} discovered from ${partition.from_stream}`);
  for (const name of Object.keys(partition?.list ?? {})) parts.push(`${name} listed in a client param`);
  if (partition?.date_range) parts.push(`date slices of ${partition.date_range.step ?? 'the whole range'}`);
  if (stream.parent) parts.push(`one call per ${stream.parent.stream} record`);
  return parts.join(' × ') || 'one item per client';
}

export function summarize(entry: CatalogEntry): PlatformSummary {
  const { source } = entry;
  return {
    platform: entry.platform,
    description: source.description ?? '',
    file: entry.file,
    base_url: readable(source.base_url),
    auth: authOf(source.auth),
    credentials: Object.fromEntries(entry.credentialKeys.map((key) => [key, '…'])),
    required_params: entry.params.filter((param) => param.required).map((param) => param.name),
    optional_params: entry.params
      .filter((param) => !param.required)
      .map((param) => ({ name: param.name, default: param.default ?? '' })),
    streams: Object.entries(source.streams).map(([name, stream]) => ({
      stream: name,
      ...(stream.description ? { description: stream.description } : {}),
      table: stream.load.table,
      load: stream.load.mode,
      primary_key: stream.primary_key,
      partition: partitionOf(stream),
      ...(stream.partition?.date_range?.lookback ? { lookback: readable(stream.partition.date_range.lookback) } : {}),
      async: stream.async_job !== undefined,
      columns: columnsOf(stream.columns),
      children: Object.values(stream.children ?? {}).map((child) => ({
        table: child.load.table,
        explode: child.explode,
        primary_key: child.primary_key,
        columns: columnsOf(child.columns),
      })),
    })),
  };
}

/** `dif catalog list`: one line per platform. */
export function formatList(entries: CatalogEntry[]): string {
  const rows = entries.map((entry) => [
    entry.platform,
    String(Object.keys(entry.source.streams).length),
    entry.source.description ?? '',
  ]);
  const width = Math.max('platform'.length, ...rows.map(([platform]) => platform!.length));
  return [
    `${'platform'.padEnd(width)}  streams  description`,
    ...rows.map(
      ([platform, streams, description]) => `${platform!.padEnd(width)}  ${streams!.padStart(7)}  ${description}`,
    ),
  ].join('\n');
}

/** `dif catalog show <platform>`: what it loads and what a client must give it. */
export function formatShow(summary: PlatformSummary): string {
  const lines = [
    `${summary.platform} — ${summary.description}`,
    `file: ${summary.file}`,
    `base URL: ${summary.base_url}`,
    `auth: ${summary.auth}`,
    '',
    `credentials (dif credentials put --client <client> --source ${summary.platform}):`,
    `  ${JSON.stringify(summary.credentials)}`,
    '',
    `client params: required ${summary.required_params.join(', ') || 'none'}`,
    ...summary.optional_params.map(
      (param) => `  optional ${param.name}${param.default ? ` (default ${param.default})` : ' (default: none)'}`,
    ),
    '',
    'streams:',
  ];
  for (const stream of summary.streams) {
    lines.push(
      `  ${stream.stream} → ${stream.table} (${stream.load}${stream.async ? ', async report' : ''})${stream.description ? `: ${stream.description}` : ''}`,
      `    grain: ${stream.primary_key.join(', ') || '(no key)'}; items: ${stream.partition}${stream.lookback ? `; lookback ${stream.lookback}` : ''}`,
      `    columns: ${stream.columns.map((column) => `${column.name} ${column.type}`).join(', ')}`,
    );
    for (const child of stream.children)
      lines.push(
        `    child ${child.table} (one row per ${child.explode}[] element; grain: ${child.primary_key.join(', ')}): ${child.columns.map((column) => `${column.name} ${column.type}`).join(', ')}`,
      );
  }
  return lines.join('\n');
}
