import type { ParsedPath, PathCondition, PathStep } from './types';

/**
 * Every value a path selects, in document order (a JSONPath node list): none when a step is
 * missing, one for a definite path, any number past `[*]` or a filter. A member whose value is
 * `undefined` is not selected; `null` is.
 *
 * @example
 * selectPath({ a: [{ b: 1 }, { b: 2 }] }, parsePath('$.a[*].b')) // [1, 2]
 */
export function selectPath(value: unknown, path: ParsedPath): unknown[] {
  let nodes: unknown[] = [value];
  for (const step of path.steps) {
    const next: unknown[] = [];
    for (const node of nodes) applyStep(node, step, next);
    if (next.length === 0) return next;
    nodes = next;
  }
  return nodes;
}

/** The one value a path names, undefined when it names none or several. */
export function selectOne(value: unknown, steps: readonly PathStep[]): unknown {
  let current = value;
  for (const step of steps) {
    current = stepOne(current, step);
    if (current === undefined) return undefined;
  }
  return current;
}

function stepOne(node: unknown, step: PathStep): unknown {
  if (node === null || typeof node !== 'object') return undefined;
  if (step.kind === 'field') return memberOf(node, step.name);
  if (step.kind === 'index')
    return Array.isArray(node) ? node[step.index < 0 ? node.length + step.index : step.index] : undefined;
  return undefined;
}

function applyStep(node: unknown, step: PathStep, out: unknown[]): void {
  if (node === null || typeof node !== 'object') return;
  switch (step.kind) {
    case 'field':
    case 'index': {
      const value = stepOne(node, step);
      if (value !== undefined) out.push(value);
      return;
    }
    case 'all':
      // An object's members too: Pinterest's JSON report is { "<campaign id>": [rows…], … }.
      for (const element of Array.isArray(node) ? node : Object.values(node))
        if (element !== undefined) out.push(element);
      return;
    case 'filter':
      if (Array.isArray(node)) for (const element of node) if (matchesAll(element, step.conditions)) out.push(element);
      return;
  }
}

/**
 * A member of an object. On an array only a canonical index (`0`, `12`) names a member, as in
 * JavaScript: `actions.0.value` reads the first action; `actions.length` reads nothing.
 */
function memberOf(node: object, name: string): unknown {
  if (Array.isArray(node)) return isIndexName(name) ? node[Number(name)] : undefined;
  return Object.hasOwn(node, name) ? (node as Record<string, unknown>)[name] : undefined;
}

/** `0`, `7`, `42`: the names JavaScript treats as array indexes. */
export function isIndexName(name: string): boolean {
  return /^(?:0|[1-9]\d{0,8})$/.test(name);
}

function matchesAll(element: unknown, conditions: readonly PathCondition[]): boolean {
  if (element === null || typeof element !== 'object' || Array.isArray(element)) return false;
  for (const condition of conditions) {
    let value: unknown = element;
    for (const name of condition.field) {
      value = value !== null && typeof value === 'object' ? memberOf(value, name) : undefined;
      if (value === undefined) break;
    }
    if (equalsLiteral(value, condition.value) !== (condition.op === '==')) return false;
  }
  return true;
}

/** Text comparison for strings and numbers (`3` matches `"3"`); booleans and null compare exactly. */
function equalsLiteral(value: unknown, literal: unknown): boolean {
  if (literal === null || typeof literal === 'boolean') return value === literal;
  if (typeof value === 'string' || typeof value === 'number') return String(value) === String(literal);
  return false;
}
