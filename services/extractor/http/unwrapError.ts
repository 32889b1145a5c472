import { isPermanent } from '../../../shared/runtime/errors';
import { BadResponseError } from '../errors';

/**
 * The permanent or bad-response error wrapped inside a got error (hooks and deadlines throw
 * ours, got wraps them as the cause); the error itself when there is none.
 *
 * @example
 * throw unwrapError(gotError); // the RequestDeadlineError a timer destroyed the stream with
 */
export function unwrapError(error: unknown): unknown {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (isPermanent(current) || current instanceof BadResponseError) return current;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return error;
}
