/** An item error split into its Step Functions-style code and its readable cause. */
export interface SplitError {
  /** e.g. `Load.RetriesExhausted`; undefined when the text carries no code. */
  code?: string;
  cause: string;
}

/**
 * Stages record errors as `Code.Name: cause` (shared/runtime/consumeMessage.ts); this splits
 * them so reports can show the code and the cause apart.
 *
 * @example
 * splitError('Load.RetriesExhausted: connection refused'); // { code: 'Load.RetriesExhausted', cause: 'connection refused' }
 */
export function splitError(text: string): SplitError {
  const match = /^([A-Z][\w]*(?:\.[\w]+)+): ([\s\S]*)$/.exec(text);
  return match ? { code: match[1], cause: match[2]! } : { cause: text };
}
