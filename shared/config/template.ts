import { DateTime } from 'luxon';
import { shiftDate, DATE_SHIFT_HELP, dateShiftProblem } from './dateShift';

/**
 * Data-only templates: `{{ client.account_id }}`, `{{ slice.start | date:yyyyMMdd }}`,
 * `{{ today - P28D }}`. A template reads values from a scope, may move a date by an ISO
 * duration, and applies a few named filters; nothing in a template can run code. An unknown
 * variable is an error that names the template and the variable.
 */
export type TemplateScope = Record<string, unknown>;
export type TemplateFilter = (value: unknown, argument: string | undefined, scope: TemplateScope) => unknown;

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    detail: string,
  ) {
    super(`template "${template}": ${detail}`);
    this.name = 'TemplateError';
  }
}

/** A template read a variable its scope does not have (and gave no `| default:`). */
export class UnknownTemplateVariableError extends TemplateError {
  constructor(
    template: string,
    readonly variable: string,
    available: string[],
  ) {
    super(template, `unknown variable "${variable}" (available: ${available.join(', ') || 'none'})`);
    this.name = 'UnknownTemplateVariableError';
  }
}

const EXPRESSION = /\{\{\s*([^}]+?)\s*\}\}/g;

const FILTERS: Record<string, TemplateFilter> = {
  upper: (value) => String(value).toUpperCase(),
  lower: (value) => String(value).toLowerCase(),
  urlencode: (value) => encodeURIComponent(String(value)),
  json: (value) => JSON.stringify(value),
  default: (value, fallback) => (value === undefined || value === null || value === '' ? (fallback ?? '') : value),
  /**
   * `date:yyyyMMdd` reformats an ISO date: yyyy, MM and dd, or M and d without a leading zero
   * (LinkedIn's Rest.li dates: `month:{{ slice.start | date:M }}`). Other characters are literal,
   * and so is 'quoted' text, as in column formats.
   */
  date: (value, pattern) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(value));
    if (!match) return value;
    const [, year, month, day] = match as unknown as [string, string, string, string];
    const parts: Record<string, string> = { yyyy: year, MM: month, dd: day, M: String(+month), d: String(+day) };
    return (pattern ?? 'yyyy-MM-dd').replace(
      /'([^']*)'|yyyy|MM|M|dd|d/g,
      (token, quoted?: string) => quoted ?? parts[token]!,
    );
  },
  /**
   * `midnight:America/Los_Angeles`: the start of a YYYY-MM-DD day in a time zone, as an ISO
   * date-time with that day's offset (`2026-11-23T00:00:00.000-08:00`), for APIs whose day
   * boundaries are the account's midnight (Snapchat stats). The zone is an IANA name or a
   * variable holding one (`midnight:client.timezone`); default UTC.
   */
  midnight: (value, zone, scope) => {
    const named = zone && /^[a-z_]\w*(\.\w+)+$/.test(zone) ? lookup(scope, zone) : zone;
    const start = DateTime.fromISO(String(value).slice(0, 10), { zone: String(named || 'UTC') });
    if (!start.isValid) throw new Error(`midnight: ${start.invalidExplanation ?? 'not a date or a time zone'}`);
    return start.toISO({ suppressMilliseconds: false });
  },
  xml: (value) =>
    String(value)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;'),
  /** `number`: a JSON body field the API wants as a number (`"Day": "{{ slice.start | date:dd | number }}"` → 1). */
  number: (value) => {
    const text = String(value ?? '').trim();
    const number = Number(text);
    if (text === '' || !Number.isFinite(number)) throw new Error(`${JSON.stringify(text)} is not a number`);
    return number;
  },
};

/** Reads `a.b.c` from the scope; undefined when any step is missing. */
export function lookup(scope: TemplateScope, dottedPath: string): unknown {
  let current: unknown = scope;
  for (const step of dottedPath.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

/** One `{{ variable [± DURATION] | filter:argument … }}` of a template, split but not evaluated. */
export interface TemplateExpression {
  variable: string;
  /** Date arithmetic after the variable, e.g. `- P28D` (sign, spaces, ISO duration); absent: none. */
  shift?: string;
  /** Each filter as written, e.g. `date:yyyyMMdd`. */
  filters: string[];
}

/** `today - P28D`: a variable, a spaced `+` or `-`, and what should be a duration. */
const SHIFTED = /^(\S+)\s+([+-])\s+(\S+)$/;

/** Splits the text of one `{{ … }}` into variable, date shift and filters. */
function parseExpression(text: string): TemplateExpression {
  const [head = '', ...filters] = text.split('|').map((part) => part.trim());
  const shifted = SHIFTED.exec(head);
  if (!shifted) return { variable: head, filters };
  return { variable: shifted[1]!, shift: `${shifted[2]} ${shifted[3]}`, filters };
}

const VARIABLE_NAME = /^[A-Za-z_][\w]*(\.[\w-]+)*$/;

/** The names `{{ … | name }}` accepts. */
export const TEMPLATE_FILTERS: readonly string[] = Object.keys(FILTERS);

/** Every expression of a template, in order, as {@link renderTemplate} reads them. */
export function templateExpressions(template: string): TemplateExpression[] {
  return [...template.matchAll(EXPRESSION)].map((match) => parseExpression(match[1] ?? ''));
}

/**
 * What is wrong with one expression whatever the scope — a variable name that is not one, an
 * unknown filter — or undefined. `dif validate` reports it; rendering throws it.
 *
 * @example
 * expressionProblem({ variable: 'client.id', filters: ['upcase'] }); // 'unknown filter "upcase" (known: …)'
 */
export function expressionProblem({ variable, shift, filters }: TemplateExpression): string | undefined {
  if (!VARIABLE_NAME.test(variable)) {
    const written = shift === undefined ? variable : `${variable} ${shift}`;
    return /[+-]P/.test(variable)
      ? `"${written}" is not a variable name; write date arithmetic with spaces: ${DATE_SHIFT_HELP}`
      : `"${written}" is not a variable name`;
  }
  const shiftProblem = shift === undefined ? undefined : dateShiftProblem(shift);
  if (shiftProblem) return shiftProblem;
  for (const filter of filters) {
    const name = filter.split(':')[0]!.trim();
    if (!FILTERS[name]) return `unknown filter "${name}" (known: ${TEMPLATE_FILTERS.join(', ')})`;
  }
  return undefined;
}

function evaluate(template: string, text: string, scope: TemplateScope): unknown {
  const expression = parseExpression(text);
  const { variable, shift, filters } = expression;
  const problem = VARIABLE_NAME.test(variable) && shift === undefined ? undefined : expressionProblem(expression);
  if (problem) throw new TemplateError(template, problem);
  let value = lookup(scope, variable);
  const hasDefault = filters.some((filter) => filter.startsWith('default'));
  if (value === undefined && !hasDefault) {
    throw new UnknownTemplateVariableError(template, variable, Object.keys(scope));
  }
  if (shift !== undefined && value !== undefined && value !== null && value !== '') {
    const moved = shiftDate(String(value), shift);
    if (moved === undefined)
      throw new TemplateError(
        template,
        `"${variable}" is ${JSON.stringify(String(value))}, not a date (YYYY-MM-DD or an ISO date-time), so "${shift}" cannot apply`,
      );
    value = moved;
  }
  for (const filter of filters) {
    const [name = '', argument] = filter.split(/:(.*)/s, 2).map((part) => part.trim());
    const apply = FILTERS[name];
    if (!apply)
      throw new TemplateError(template, `unknown filter "${name}" (known: ${Object.keys(FILTERS).join(', ')})`);
    try {
      value = apply(value, argument, scope);
    } catch (error) {
      throw new TemplateError(template, `filter "${name}": ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return value;
}

/** Renders every `{{ … }}` in `template` against `scope`. */
export function renderTemplate(template: string, scope: TemplateScope): string {
  return template.replace(EXPRESSION, (_match, expression: string) => {
    const value = evaluate(template, expression, scope);
    return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
  });
}

/** One whole `{{ … | number }}` and nothing else: the value stays a number in a JSON body. */
const WHOLE_NUMBER_EXPRESSION = /^\{\{\s*([^}]+?\|\s*number)\s*\}\}$/;

/**
 * Renders templates in every string inside a JSON-like value (request bodies, query maps). A
 * string that is exactly one expression ending in `| number` becomes that number, so a JSON body
 * can send `"Day": 1` where the API refuses `"Day": "01"`.
 */
export function renderDeep<T>(value: T, scope: TemplateScope): T {
  if (typeof value === 'string') {
    const whole = WHOLE_NUMBER_EXPRESSION.exec(value);
    return (whole ? evaluate(value, whole[1]!, scope) : renderTemplate(value, scope)) as T;
  }
  if (Array.isArray(value)) return value.map((entry) => renderDeep(entry, scope)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, renderDeep(entry, scope)])) as T;
  }
  return value;
}

/** The variables a template reads, e.g. to check `secrets.*` references at validation time. */
export function templateVariables(template: string): string[] {
  return templateExpressions(template).map((expression) => expression.variable);
}
