/**
 * An error that retrying cannot fix (bad data over the reject threshold, a destructive schema
 * change, a 4xx that is not a rate limit). Queue consumers fail the item's task token at once
 * instead of redelivering; the message is acknowledged. `code` becomes the Step Functions error
 * name, e.g. `Transform.RejectThreshold`.
 */
export class PermanentError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** True for errors that must not be retried. */
export function isPermanent(error: unknown): error is PermanentError {
  return error instanceof PermanentError;
}
