import { formatColumnType, parseColumnType } from '../../../shared/config/columnType';
import type { TransformOptions } from '../../../shared/config/schema/transform';
import type { ColumnSpec } from '../../../shared/config/schema/columns';
import { SchemaDriftError, TransformConfigError } from '../errors';
import { compileCaster } from './compileCaster';
import {
  compileColumn,
  resolveZone,
  type CompiledColumn,
  type ContextHolder,
  type RequestValues,
  type ValueGetter,
} from './compileColumn';
import { compileFilter, type RecordFilter } from './compileFilter';
import { NULL_CELL } from './csvCell';
import { Rejection } from './Rejection';

/** A column of the clean output, as sent in CleanReady.columns. */
export interface OutputColumn {
  name: string;
  type: string;
}

/** A top-level field found in the data that no declared column reads (schema drift: evolve). */
export interface EvolvedColumn {
  name: string;
  field: string;
  type: string;
}

export interface PipelineSetup {
  columns: Record<string, ColumnSpec>;
  options: TransformOptions;
  primaryKey: string[];
  /** Run metadata for `transform.add`: client, source, stream, run_id, item_id, partition, extracted_at. */
  metadata: Record<string, string>;
  /** Columns added by the first pass when `new_field: evolve`. */
  evolved?: EvolvedColumn[];
  /** What columns can read from the request (`from: partition.*`, `slice.*`, `client.*`, `parent.*`). */
  request?: RequestValues;
}

/** Where the record being processed came from, for drift errors. */
export interface RecordLocation {
  where: string;
  record: number;
}

/**
 * The per-stream record pipeline: rename → select/flatten → filter → cast → CSV row. Compiled
 * once per item; `row()` is the hot path and allocates little beyond the row string.
 *
 * @example
 * const pipeline = new RecordPipeline(setup);
 * const row = pipeline.row(record); // 'csv,cells\n' | Rejection | undefined (filtered out)
 */
export class RecordPipeline {
  readonly columns: OutputColumn[];
  readonly header: string;
  readonly location: RecordLocation = { where: '', record: 0 };
  /** The parent context of the raw object being read, for `from: parent.*` columns. */
  private readonly context: ContextHolder = { current: undefined };
  private readonly compiled: CompiledColumn[];
  /** Cells of `transform.add` columns: the same for every row of the item. */
  private readonly constantTail: string;
  private readonly renames: [string, string][];
  private readonly filter: RecordFilter | undefined;
  private readonly known: Set<string>;
  private readonly checkNewFields: boolean;
  private readonly missingFails: boolean;
  private readonly keyGetters: ValueGetter[];
  private readonly explodeField: string | undefined;

  constructor(setup: PipelineSetup) {
    const { options } = setup;
    checkSetup(setup);
    const request = setup.request ?? NO_REQUEST_VALUES;
    const castOptions = {
      varcharOverflow: options.varchar_overflow,
      timezone: resolveZone(options.timezone, request, 'transform.timezone'),
    };
    const environment = { request, context: this.context, cast: castOptions, nullValues: options.null_values };
    const roots: string[] = [];
    this.compiled = Object.entries(setup.columns).map(([name, spec]) => {
      const column = compileColumn(name, spec, environment);
      if (column.root !== undefined) roots.push(column.root);
      return column;
    });
    for (const evolved of setup.evolved ?? []) {
      const type = parseColumnType(evolved.type)!;
      roots.push(evolved.field);
      this.compiled.push({
        name: evolved.name,
        type,
        get: (record) => record[evolved.field],
        cast: compileCaster(type, castOptions),
        root: evolved.field,
      });
    }
    const added = Object.entries(options.add).map(([name, field]) => ({
      name,
      type: field === 'extracted_at' ? 'timestamptz' : 'varchar(256)',
      field,
    }));
    this.constantTail = added
      .map(({ name, field, type }) => addedCell(name, field, type, setup.metadata, castOptions))
      .map((cell) => `,${cell}`)
      .join('');
    this.columns = [
      ...this.compiled.map(({ name, type }) => ({ name, type: formatColumnType(type) })),
      ...added.map(({ name, type }) => ({ name, type })),
    ];
    this.header = `${this.columns.map(({ name }) => name).join(',')}\n`;
    this.renames = Object.entries(options.rename);
    const getters = new Map(this.compiled.map((column) => [column.name, column.get]));
    this.filter = compileFilter(
      options.filter,
      (column) => getters.get(column) ?? (() => setup.metadata[options.add[column] ?? ''] ?? undefined),
    );
    this.known = new Set([...roots, ...this.renames.map(([from]) => from)]);
    this.checkNewFields = options.new_field === 'fail';
    this.missingFails = options.missing_field === 'fail';
    this.explodeField = options.explode;
    this.keyGetters = setup.primaryKey.map((key) => getters.get(key)!).filter(Boolean);
  }

  /**
   * Applies renames and the parent context (fields a dependent call carries), in place: the
   * record is ours, decoded moments ago. A value that is not an object is rejected.
   */
  prepare(value: unknown, context: Record<string, unknown> | undefined): Record<string, unknown> | Rejection {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return new Rejection(
        `the record is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object; check the records path`,
      );
    }
    const record = value as Record<string, unknown>;
    if (context) for (const key in context) if (!(key in record)) record[key] = context[key];
    for (const [from, to] of this.renames) if (from in record) record[to] = record[from];
    return record;
  }

  /** The clean CSV row of a prepared record, a Rejection, or undefined when filtered out. */
  row(record: Record<string, unknown>): string | Rejection | undefined {
    if (this.filter && !this.filter(record)) return undefined;
    if (this.checkNewFields) this.failOnNewField(record);
    const columns = this.compiled;
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const value = column.get(record);
      if (value === undefined && this.missingFails) this.failOnMissing(column.name);
      const cell = column.cast(value);
      if (typeof cell !== 'string')
        return new Rejection(`column ${column.name} (${formatColumnType(column.type)}): ${cell.reason}`);
      line = i === 0 ? cell : `${line},${cell}`;
    }
    return `${line}${this.constantTail}\n`;
  }

  /**
   * The records to write for one prepared record: itself, or with `transform.explode` one view
   * per element of the exploded array (the element in place of the array, parent fields kept).
   */
  explode(record: Record<string, unknown>): Record<string, unknown>[] {
    const field = this.explodeField;
    if (field === undefined) return [record];
    const elements = record[field];
    if (!Array.isArray(elements)) return elements === undefined || elements === null ? [] : [record];
    return elements.map((element: unknown) => ({ ...record, [field]: element }));
  }

  /** The primary-key value of a prepared record, for dedupe. */
  key(record: Record<string, unknown>): string {
    let key = '';
    for (const get of this.keyGetters) key += `${String(get(record))}\u0001`;
    return key;
  }

  /** Top-level fields of the record that no column, rename or context reads. */
  newFields(record: Record<string, unknown>): string[] {
    const found: string[] = [];
    for (const key in record) if (!this.known.has(key)) found.push(key);
    return found;
  }

  private failOnNewField(record: Record<string, unknown>): void {
    const fields = this.newFields(record);
    if (fields.length === 0) return;
    throw new SchemaDriftError(
      `${this.location.where}, record ${this.location.record}: new field${fields.length > 1 ? 's' : ''} ${fields.map((f) => `"${f}"`).join(', ')} not declared in columns, and transform.new_field is fail. Declare the column${fields.length > 1 ? 's' : ''}, or set transform.new_field to ignore or evolve`,
    );
  }

  private failOnMissing(column: string): void {
    throw new SchemaDriftError(
      `${this.location.where}, record ${this.location.record}: declared column "${column}" is missing from the record, and transform.missing_field is fail. Check the API change, fix columns (or its from path), or set transform.missing_field: null`,
    );
  }

  /** Marks context fields as known, so parent fields are not taken for schema drift. */
  knowFields(fields: Iterable<string>): void {
    for (const field of fields) this.known.add(field);
  }

  /** The parent context of the raw object whose records come next (`from: parent.*` reads it). */
  useContext(context: Record<string, unknown> | undefined): void {
    this.context.current = context;
  }
}

const NO_REQUEST_VALUES: RequestValues = { partition: {}, client: {}, parentFields: {} };

/** Settings a schema cannot check alone; each problem names the key and what to do. */
function checkSetup({ columns, options }: PipelineSetup): void {
  for (const name of Object.keys(options.add)) {
    if (name in columns)
      throw new TransformConfigError(`transform.add.${name} is also a declared column; rename one of them`);
  }
  for (const condition of options.filter) {
    if (!(condition.column in columns) && !(condition.column in options.add)) {
      throw new TransformConfigError(
        `transform.filter reads column "${condition.column}", which is neither declared in columns nor added by transform.add`,
      );
    }
    if (condition.op.endsWith('null')) continue;
    if (
      condition.value === undefined ||
      (condition.op === 'in' || condition.op === 'not_in') !== Array.isArray(condition.value)
    ) {
      throw new TransformConfigError(
        `transform.filter on "${condition.column}": op ${condition.op} needs ${Array.isArray(condition.value) ? 'a single value' : 'a list of values'}`,
      );
    }
  }
}

function addedCell(
  name: string,
  field: string,
  type: string,
  metadata: Record<string, string>,
  castOptions: { varcharOverflow: 'reject' | 'truncate'; timezone: string },
): string {
  const value = metadata[field];
  if (value === undefined) return NULL_CELL;
  const cell = compileCaster(parseColumnType(type)!, { ...castOptions, timezone: 'UTC' })(value);
  if (cell instanceof Rejection)
    throw new SchemaDriftError(
      `transform.add.${name}: run metadata ${field} = ${JSON.stringify(value)} cannot be written as ${type}: ${cell.reason}`,
    );
  return cell;
}

/** A warehouse-safe column name for a field found in the data (schema evolution). */
export function columnNameFor(field: string): string {
  let name = field.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(name)) name = `_${name}`;
  return name.slice(0, 63);
}
