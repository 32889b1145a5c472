import type { z } from 'zod';
import type { errorPredicate } from '../../shared/config/schema/retry';
import { BadResponseError, HttpStatusError } from './errors';
import { readPath } from './readPath';

export type ErrorPredicate = z.infer<typeof errorPredicate>;

function matches(predicate: ErrorPredicate, body: unknown): boolean {
  const value = readPath(body, predicate.path);
  const present = value !== undefined && value !== null;
  if (predicate.exists !== undefined && present !== predicate.exists) return false;
  if (predicate.in && !predicate.in.some((candidate) => candidate === value || String(candidate) === String(value)))
    return false;
  if (
    predicate.not_in &&
    (!present || predicate.not_in.some((candidate) => candidate === value || String(candidate) === String(value)))
  )
    return false;
  return predicate.exists !== undefined || predicate.in !== undefined || predicate.not_in !== undefined;
}

/**
 * Fails a 200 response whose body says it is an error ("error inside a 200"): retryable
 * predicates throw {@link BadResponseError} (retried), others {@link HttpStatusError}.
 */
export function checkErrorPredicates(
  body: unknown,
  predicates: ErrorPredicate[],
  url: string,
  redact: (text: string) => string,
): void {
  for (const predicate of predicates) {
    if (!matches(predicate, body)) continue;
    const excerpt = redact(JSON.stringify(body).slice(0, 300));
    if (predicate.retryable) throw new BadResponseError(url, `error inside a 200 (${predicate.path}): ${excerpt}`);
    throw new HttpStatusError(
      200,
      url,
      excerpt,
      `the API reported an error inside a successful response (${predicate.path}); check the request parameters`,
    );
  }
}
