import { PathSyntaxError } from './PathSyntaxError';
import type { ParsedPath, PathCondition, PathLiteral, PathStep } from './types';

const HELP = "write $.a.b, $.a[0], $.a[*].b, $.a[?type=='x'].value (or, in a column, a.b without the $)";

const cache = new Map<string, ParsedPath>();
const CACHE_LIMIT = 1000;

/**
 * Parses a path of DIF's one path language, shared by records paths, paging and job values and
 * column `from`:
 *
 * - `$` is the document (or, in a column, the record); a column may leave it out: `metrics.spend`;
 * - `.name` or `['name']` a member, `[2]` an element (`[-1]` the last), `[*]` every element (or member);
 * - `[?field=='value']` the elements whose field equals a literal (`!=`, `&&`, `@.field` and
 *   numbers, `true`, `false`, `null` too). Values are compared as text: `[?id==3]` matches `"3"`.
 *
 * Parsed paths are cached: the result must not be modified.
 *
 * @example
 * parsePath("actions[?action_type=='purchase'].value").steps.length // 3
 */
export function parsePath(text: string): ParsedPath {
  const hit = cache.get(text);
  if (hit) return hit;
  const parsed = new PathScanner(text).parse();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed);
  return parsed;
}

class PathScanner {
  private at = 0;

  constructor(private readonly text: string) {}

  parse(): ParsedPath {
    const { text } = this;
    if (text.trim() !== text || text.length === 0) this.fail('a path must not be empty or start or end with spaces');
    const steps: PathStep[] = [];
    if (text.startsWith('$')) this.at = 1;
    else steps.push({ kind: 'field', name: this.name() });
    while (this.at < text.length) {
      const c = text[this.at];
      if (c === '.') {
        this.at++;
        steps.push({ kind: 'field', name: this.name() });
      } else if (c === '[') steps.push(this.bracket());
      else this.fail(`unexpected ${JSON.stringify(c)} at character ${this.at + 1}`);
    }
    return { text, steps, definite: steps.every((step) => step.kind === 'field' || step.kind === 'index') };
  }

  /** A bare member name: everything up to the next `.` or `[` (spaces allowed, as in CSV headers). */
  private name(): string {
    const start = this.at;
    while (this.at < this.text.length && !'.[]'.includes(this.text[this.at]!)) this.at++;
    if (this.at === start) this.fail(`a name is missing at character ${start + 1}`);
    return this.text.slice(start, this.at);
  }

  private bracket(): PathStep {
    this.at++;
    const c = this.text[this.at];
    let step: PathStep;
    if (c === '*') {
      this.at++;
      step = { kind: 'all' };
    } else if (c === "'" || c === '"') step = { kind: 'field', name: this.quoted() };
    else if (c === '?') {
      this.at++;
      step = { kind: 'filter', conditions: this.conditions() };
    } else {
      const match = /^-?\d+/.exec(this.text.slice(this.at));
      if (!match) this.fail(`expected a number, *, a quoted name or ?filter after "[" at character ${this.at}`);
      this.at += match[0].length;
      step = { kind: 'index', index: Number(match[0]) };
    }
    this.skipSpaces();
    if (this.text[this.at] !== ']') this.fail(`expected "]" at character ${this.at + 1}`);
    this.at++;
    return step;
  }

  private conditions(): PathCondition[] {
    const conditions: PathCondition[] = [this.condition()];
    for (;;) {
      this.skipSpaces();
      if (!this.text.startsWith('&&', this.at)) return conditions;
      this.at += 2;
      conditions.push(this.condition());
    }
  }

  private condition(): PathCondition {
    this.skipSpaces();
    if (this.text.startsWith('@.', this.at)) this.at += 2;
    const match = /^[A-Za-z0-9_$@-]+(?:\.[A-Za-z0-9_$@-]+)*/.exec(this.text.slice(this.at));
    if (!match) this.fail(`expected a field name in the filter at character ${this.at + 1}`);
    this.at += match[0].length;
    this.skipSpaces();
    const op = this.text.slice(this.at, this.at + 2);
    if (op !== '==' && op !== '!=')
      this.fail(`expected == or != after ${match[0]} in the filter at character ${this.at + 1}`);
    this.at += 2;
    this.skipSpaces();
    return { field: match[0].split('.'), op, value: this.literal() };
  }

  private literal(): PathLiteral {
    const c = this.text[this.at];
    if (c === "'" || c === '"') return this.quoted();
    const match = /^(?:-?\d+(?:\.\d+)?|true|false|null)/.exec(this.text.slice(this.at));
    if (!match) this.fail(`expected a quoted text, a number, true, false or null at character ${this.at + 1}`);
    this.at += match[0].length;
    return match[0] === 'true' ? true : match[0] === 'false' ? false : match[0] === 'null' ? null : Number(match[0]);
  }

  /** `'text'` or `"text"`; a backslash escapes the next character. */
  private quoted(): string {
    const quote = this.text[this.at]!;
    let value = '';
    for (let i = this.at + 1; i < this.text.length; i++) {
      const c = this.text[i]!;
      if (c === '\\' && i + 1 < this.text.length) value += this.text[++i];
      else if (c === quote) {
        this.at = i + 1;
        return value;
      } else value += c;
    }
    return this.fail(`the quote opened at character ${this.at + 1} is not closed`);
  }

  private skipSpaces(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private fail(detail: string): never {
    throw new PathSyntaxError(this.text, `${detail}; ${HELP}`);
  }
}
