import { columnOptionProblems } from '../../../shared/config/checkColumns';
import { ColumnSourceError, parseColumnSource, type ColumnSource } from '../../../shared/config/columnSource';
import { parseColumnType, type ParsedColumnType } from '../../../shared/config/columnType';
import type { ColumnSpec } from '../../../shared/config/schema/columns';
import { renderTemplate, TemplateError } from '../../../shared/config/template';
import { parseTemporalFormat } from '../../../shared/config/temporalFormat';
import { compileValueReader, parsePath } from '../../../shared/paths';
import { TransformConfigError } from '../errors';
import { combineMatches } from './combineMatches';
import { compileCaster, type Caster, type CastOptions, type ValueFormat } from './compileCaster';
import { NULL_CELL } from './csvCell';
import { Rejection } from './Rejection';
import { isKnownZone } from './temporalText';

/** Reads a column's value from a prepared record. */
export type ValueGetter = (record: Record<string, unknown>) => unknown;

/**
 * What the request knows and the data may not repeat: the work item's partition values
 * (`slice_start`/`slice_end` included), the client's params for the source (`name` is the
 * client's name), and which parent field each `parent.fields` entry copies.
 */
export interface RequestValues {
  partition: Record<string, string>;
  client: Record<string, unknown>;
  /** `parent.fields` of the stream: { record field: parent field }. */
  parentFields: Record<string, string>;
}

/** The parent context of the raw object being read (a dependent call's parent fields). */
export interface ContextHolder {
  current: Record<string, unknown> | undefined;
}

/** A column compiled once per item. */
export interface CompiledColumn {
  name: string;
  type: ParsedColumnType;
  get: ValueGetter;
  cast: Caster;
  /** The top-level record field the column reads (for schema drift), if it reads the record. */
  root: string | undefined;
}

export interface ColumnEnvironment {
  request: RequestValues;
  context: ContextHolder;
  /** varchar overflow and the stream's time zone. */
  cast: CastOptions;
  /** transform.null_values of the table. */
  nullValues: readonly string[];
}

/**
 * Compiles one declared column: where its value comes from (a record path, or a value of the
 * request), how several matches become one value, which texts are NULL, and the cast with the
 * column's format. Every problem is a {@link TransformConfigError} naming the column.
 *
 * @example
 * compileColumn('date', { type: 'date', from: 'TimePeriod', format: 'M/d/yyyy' }, environment)
 */
export function compileColumn(name: string, spec: ColumnSpec, environment: ColumnEnvironment): CompiledColumn {
  const declared = typeof spec === 'string' ? { type: spec } : spec;
  const type = parseColumnType(declared.type)!;
  const problems = columnOptionProblems(spec);
  if (problems.length > 0)
    throw new TransformConfigError(problems.map(({ key, message }) => `columns.${name}.${key}: ${message}`).join('; '));
  const source = sourceOf(name, declared.from ?? name, declared.from !== undefined);
  const castOptions: CastOptions = {
    ...environment.cast,
    timezone: zoneOf(name, declared.timezone, environment),
    format: valueFormatOf(declared, type),
  };
  const cast = withNulls(compileCaster(type, castOptions), declared.null_values ?? environment.nullValues);
  if (source.kind === 'record') {
    const first = source.path.steps[0];
    const root = first?.kind === 'field' ? first.name : undefined;
    const read = compileValueReader(source.path).read as ValueGetter;
    if (source.path.definite || type.kind === 'super') return { name, type, get: read, cast, root };
    // Several matches become one value (or a Rejection the cast passes on) before filters and keys read it.
    const combine = combineMatches(declared.matches ?? 'one', source.path.text);
    return {
      name,
      type,
      get: (record) => combine(read(record) as unknown[]),
      cast: (value) => (value instanceof Rejection ? value : cast(value)),
      root,
    };
  }
  if (source.kind === 'parent') {
    const key = Object.entries(environment.request.parentFields).find(([, field]) => field === source.field)?.[0];
    if (key === undefined)
      throw new TransformConfigError(
        `columns.${name}.from: ${source.written} is not recorded with the pages; add ${source.field} to parent.fields`,
      );
    const context = environment.context;
    return { name, type, get: () => context.current?.[key], cast, root: undefined };
  }
  return constantColumn(name, type, cast, requestValue(name, source, environment.request));
}

function sourceOf(name: string, from: string, explicit: boolean): ColumnSource {
  // A column name is a plain field, even one called like a request value (a field `client`).
  if (!explicit) return { kind: 'record', path: parsePath(name) };
  try {
    return parseColumnSource(from);
  } catch (error) {
    if (error instanceof ColumnSourceError) throw new TransformConfigError(`columns.${name}.${error.message}`);
    throw error;
  }
}

/** A value of the request: the same for every row, so it is cast once, and a bad one fails the item. */
function constantColumn(name: string, type: ParsedColumnType, cast: Caster, value: unknown): CompiledColumn {
  const cell = cast(value);
  if (cell instanceof Rejection)
    throw new TransformConfigError(
      `columns.${name}: the request value ${JSON.stringify(value)} cannot be written as ${type.kind}: ${cell.reason}`,
    );
  return { name, type, get: () => value, cast: () => cell, root: undefined };
}

function requestValue(name: string, source: ColumnSource, request: RequestValues): unknown {
  if (source.kind === 'partition') {
    const value = request.partition[source.name];
    if (value === undefined)
      throw new TransformConfigError(
        `columns.${name}.from: ${source.written} is not a value of this item's partition (it has: ${Object.keys(request.partition).join(', ') || 'none'})`,
      );
    return value;
  }
  if (source.kind === 'client') {
    if (!(source.name in request.client))
      throw new TransformConfigError(
        `columns.${name}.from: ${source.written}: the client gives no param "${source.name}" for this source`,
      );
    return request.client[source.name];
  }
  return undefined;
}

/** The column's zone (a template over client.* and partition.* is resolved for the item), else the stream's. */
function zoneOf(name: string, declared: string | undefined, environment: ColumnEnvironment): string {
  if (declared === undefined) return environment.cast.timezone;
  const zone = resolveZone(declared, environment.request, `columns.${name}.timezone`);
  return zone;
}

/**
 * A time zone setting, with `{{ client.* }}` / `{{ partition.* }}` templates resolved; an
 * unknown zone is a {@link TransformConfigError} naming the setting.
 *
 * @example
 * resolveZone('{{ client.timezone }}', request, 'transform.timezone') // 'America/Los_Angeles'
 */
export function resolveZone(setting: string, request: RequestValues, where: string): string {
  let zone = setting;
  if (setting.includes('{{')) {
    const scope = {
      client: request.client,
      partition: request.partition,
      slice: { start: request.partition.slice_start, end: request.partition.slice_end },
    };
    try {
      zone = renderTemplate(setting, scope);
    } catch (error) {
      if (error instanceof TemplateError) throw new TransformConfigError(`${where}: ${error.message}`);
      throw error;
    }
  }
  if (!isKnownZone(zone))
    throw new TransformConfigError(
      `${where} "${zone}"${zone === setting ? '' : ` (from ${setting})`} is not an IANA time zone; use a name like UTC or Europe/Paris`,
    );
  return zone;
}

function valueFormatOf(
  declared: Exclude<ColumnSpec, string> | { type: string },
  type: ParsedColumnType,
): ValueFormat | undefined {
  const { format, thousands, decimal } = declared as Exclude<ColumnSpec, string>;
  if (type.kind === 'date' || type.kind === 'timestamp' || type.kind === 'timestamptz')
    return format === undefined ? undefined : { temporal: parseTemporalFormat(format) };
  const percent = format === 'percent';
  if (!percent && thousands === undefined && decimal === undefined) return undefined;
  return { number: { thousands, decimal: decimal ?? '.', percent } };
}

/** Texts that mean "no value" become NULL before the cast; without any, the cast is untouched. */
function withNulls(cast: Caster, nullValues: readonly string[]): Caster {
  if (nullValues.length === 0) return cast;
  const nulls = new Set(nullValues.map((text) => text.trim()));
  return (value) => (typeof value === 'string' && nulls.has(value.trim()) ? NULL_CELL : cast(value));
}
