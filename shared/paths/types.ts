/** A value a filter compares with: `'purchase'`, `"purchase"`, `3`, `true`, `null`. */
export type PathLiteral = string | number | boolean | null;

/** One test inside `[? … ]`: a field of the element (dotted) compared with a literal. */
export interface PathCondition {
  /** Field names from the element, e.g. `['action_type']` or `['target', 'id']`. */
  field: string[];
  op: '==' | '!=';
  value: PathLiteral;
}

/**
 * One step of a parsed path.
 * - `field`: a member of an object (a name of digits also picks that element of an array, so
 *   the dotted `actions.0.value` keeps working);
 * - `index`: an element of an array, negative from the end (`[-1]` is the last);
 * - `all`: every element of an array (`[*]`);
 * - `filter`: every element of an array for which all conditions hold (`[?action_type=='purchase']`).
 */
export type PathStep =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; conditions: PathCondition[] };

/** A parsed path: its steps, and whether it can select at most one value. */
export interface ParsedPath {
  /** The path as written, for messages. */
  text: string;
  steps: PathStep[];
  /** Only `field` and `index` steps: selects one value or none, never a list of matches. */
  definite: boolean;
}
