import { IANAZone } from 'luxon';
import type { ClientParamUse, LineOf } from './checkTemplates';
import { ColumnSourceError, parseColumnSource, type ColumnSource } from './columnSource';
import { parseColumnType, type ParsedColumnType } from './columnType';
import type { ConfigProblem } from './errors';
import type { ColumnSpec } from './schema/columns';
import type { SourceDefinition, StreamDefinition } from './schema';
import { parseTemporalFormat, TemporalFormatError } from './temporalFormat';

/** One problem of a column's options: the key it is about and what to do. */
export interface ColumnOptionProblem {
  key: 'from' | 'format' | 'timezone' | 'thousands' | 'decimal' | 'matches';
  message: string;
}

const NUMBERS = new Set(['smallint', 'int', 'bigint', 'decimal', 'double', 'real']);
const FRACTIONAL = new Set(['decimal', 'double', 'real']);
const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz']);

/**
 * What is wrong with one column's options for its type (`format` a date pattern on a date, or
 * `percent` on a decimal; `thousands` on numbers; `matches` on a path with several matches…),
 * each with the key it is about. The transformer refuses the same columns with the same words.
 *
 * @example
 * columnOptionProblems({ type: 'bigint', format: 'percent' }) // [{ key: 'format', message: 'a whole-number column has no format …' }]
 */
export function columnOptionProblems(spec: ColumnSpec): ColumnOptionProblem[] {
  if (typeof spec === 'string') return [];
  const type = parseColumnType(spec.type);
  if (!type) return [];
  const problems: ColumnOptionProblem[] = [];
  const push = (key: ColumnOptionProblem['key'], message: string) => problems.push({ key, message });
  let source: ColumnSource | undefined;
  try {
    source = spec.from === undefined ? undefined : parseColumnSource(spec.from);
  } catch (error) {
    if (!(error instanceof ColumnSourceError)) throw error;
    push('from', error.message.replace(/^from "[^"]*": /, ''));
  }
  const formatProblem = spec.format === undefined ? undefined : formatProblemOf(spec.format, type);
  if (formatProblem) push('format', formatProblem);
  if (spec.timezone !== undefined && !TEMPORAL.has(type.kind))
    push('timezone', `only dates and timestamps have a time zone (this column is ${spec.type})`);
  else if (spec.timezone !== undefined && !spec.timezone.includes('{{') && !isZone(spec.timezone))
    push('timezone', `"${spec.timezone}" is not an IANA time zone; use a name like UTC or America/New_York`);
  if ((spec.thousands !== undefined || spec.decimal !== undefined) && !NUMBERS.has(type.kind))
    push(
      spec.thousands !== undefined ? 'thousands' : 'decimal',
      `only numbers have separators (this column is ${spec.type})`,
    );
  if (spec.thousands !== undefined && spec.thousands === (spec.decimal ?? '.'))
    push('thousands', `"${spec.thousands}" is also the decimal mark; set decimal too (e.g. decimal: ",")`);
  if (spec.matches !== undefined) {
    if (source?.kind !== 'record' || source.path.definite)
      push('matches', 'applies only to a path with [*] or a filter, which may select several values');
    else if (type.kind === 'super') push('matches', 'a super column gets the list of every match; remove it');
    else if (spec.matches === 'sum' && !NUMBERS.has(type.kind))
      push('matches', `sum adds numbers; this column is ${spec.type} (use first or last)`);
  }
  return problems;
}

function formatProblemOf(format: string, type: ParsedColumnType): string | undefined {
  if (TEMPORAL.has(type.kind)) {
    try {
      parseTemporalFormat(format);
      return undefined;
    } catch (error) {
      if (error instanceof TemporalFormatError) return error.message.replace(/^format "[^"]*": /, '');
      throw error;
    }
  }
  if (FRACTIONAL.has(type.kind))
    return format === 'percent'
      ? undefined
      : `a ${type.kind} column takes format: percent ("12.5%" → 0.125); for separators use thousands/decimal`;
  if (NUMBERS.has(type.kind))
    return 'a whole-number column has no format (a percentage is a fraction: declare decimal(p,s)); for separators use thousands';
  return 'applies to dates and timestamps (a pattern, iso, epoch_seconds, epoch_millis) and to decimal/double/real (percent)';
}

function isZone(zone: string): boolean {
  return zone === 'UTC' || IANAZone.isValidZone(zone);
}

/**
 * `dif validate`'s checks of every column of a source: its options for its type, and a `from`
 * that reads the request only where the request has that value — `partition.NAME` a partition
 * the stream has, `slice.*` a date range, `parent.FIELD` a field `parent.fields` records.
 * Returns the client params read by `from: client.NAME`, which every client must give.
 *
 * @example
 * const { problems, clientParams } = checkColumns('sources/tiktok.yml', source, lineOf);
 */
export function checkColumns(
  file: string,
  source: SourceDefinition,
  lineOf: LineOf,
): { problems: ConfigProblem[]; clientParams: ClientParamUse[] } {
  const problems: ConfigProblem[] = [];
  const clientParams: ClientParamUse[] = [];
  for (const [streamName, stream] of Object.entries(source.streams)) {
    const tables: [string[], Record<string, ColumnSpec>][] = [[['streams', streamName], stream.columns]];
    for (const [childName, child] of Object.entries(stream.children ?? {}))
      tables.push([['streams', streamName, 'children', childName], child.columns]);
    for (const [at, columns] of tables) {
      for (const [name, spec] of Object.entries(columns)) {
        const path = [...at, 'columns', name];
        for (const { key, message } of columnOptionProblems(spec))
          problems.push({ file, line: lineOf([...path, key]), path: `${path.join('.')}.${key}`, message });
        if (typeof spec === 'string' || spec.from === undefined) continue;
        const from = safeSource(spec.from);
        if (!from || from.kind === 'record') continue;
        const line = lineOf([...path, 'from']);
        const problem = requestValueProblem(from, stream);
        if (problem) problems.push({ file, line, path: `${path.join('.')}.from`, message: problem });
        else if (from.kind === 'client' && from.name !== 'name')
          clientParams.push({
            param: from.name,
            template: `from: ${from.written}`,
            at: line ? `${file}:${line}` : file,
          });
      }
    }
  }
  return { problems, clientParams };
}

function safeSource(from: string): ColumnSource | undefined {
  try {
    return parseColumnSource(from);
  } catch {
    return undefined;
  }
}

/** The names `partition.NAME` can read in a stream: its lists, discovered fields, and the slice bounds. */
export function partitionNamesOf(stream: StreamDefinition): string[] {
  const partition = stream.partition as
    { list?: Record<string, unknown>; fields?: Record<string, unknown>; date_range?: unknown } | undefined;
  return [
    ...Object.keys(partition?.list ?? {}),
    // Partitions discovered from another stream name their values in `fields`.
    ...Object.keys(partition?.fields ?? {}),
    ...(partition?.date_range ? ['slice_start', 'slice_end'] : []),
  ];
}

function requestValueProblem(from: ColumnSource, stream: StreamDefinition): string | undefined {
  if (from.kind === 'partition') {
    const names = partitionNamesOf(stream);
    if (names.includes(from.name)) return undefined;
    if (from.name.startsWith('slice_'))
      return `${from.written} exists only in a stream with partition.date_range; this stream has none`;
    return `this stream has no partition value "${from.name}" (it has: ${names.filter((n) => !n.startsWith('slice_')).join(', ') || 'none'}); add it to partition.list, or fix the name`;
  }
  if (from.kind === 'parent') {
    if (!stream.parent) return `${from.written} exists only in a dependent stream (one with parent)`;
    const fields = stream.parent.fields;
    if (Object.values(fields).includes(from.field)) return undefined;
    const copied = fields[from.field];
    return copied !== undefined
      ? `parent.fields copies the parent's ${copied} as ${from.field}; write from: parent.${copied}`
      : `the parent's field ${from.field} is not recorded with the pages; add it to parent.fields (e.g. { parent_${from.field.replace(/\W/g, '_')}: ${from.field} })`;
  }
  return undefined;
}
