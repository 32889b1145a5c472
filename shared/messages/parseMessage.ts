import type { z } from 'zod';
import { formatZodIssues } from '../config/formatIssues';

export class InvalidMessageError extends Error {
  constructor(
    readonly kind: string,
    detail: string,
  ) {
    super(
      `invalid ${kind} message: ${detail}. The producer and consumer versions may differ; redeploy both, then replay the dead-letter queue.`,
    );
    this.name = 'InvalidMessageError';
  }
}

/** Validates a queue message body at the consumer; a bad message fails with what was wrong. */
export function parseMessage<T extends z.ZodType>(schema: T, kind: string, body: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidMessageError(kind, 'body is not JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new InvalidMessageError(kind, formatZodIssues(result.error.issues).join('; '));
  return result.data;
}
