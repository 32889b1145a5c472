import type { z } from 'zod';
import type { errorPredicate } from '../../shared/config/schema/retry';
import { parseStatusBody } from './asyncjob/parseStatusBody';
import { BadResponseError, HttpStatusError } from './errors';
import { readPath } from './readPath';

export type ErrorPredicate = z.infer<typeof errorPredicate>;

/** Every value found under `key` at any depth, in document order. */
function descendants(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((entry) => descendants(entry, key));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([name, child]) => [
    ...(name === key ? [child] : []),
    ...descendants(child, key),
  ]);
}

/**
 * Reads an XPath-like path (`/Envelope/Body/Fault/faultcode`, `//error/code`) from a parsed XML
 * body (elements are keys, as {@link parseStatusBody} makes them). The first match wins.
 */
function readXPath(body: unknown, path: string): unknown {
  let current: unknown[] = [body];
  for (const [, slashes, name] of path.matchAll(/(\/\/?)([^/]+)/g)) {
    current = current.flatMap((node) => {
      if (slashes === '//') return descendants(node, name!);
      if (Array.isArray(node))
        return node.map((entry) => (entry as Record<string, unknown> | null)?.[name!]).filter((v) => v !== undefined);
      const child = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[name!] : undefined;
      return child === undefined ? [] : [child];
    });
  }
  const [first] = current.flatMap((value) => (Array.isArray(value) ? value : [value]));
  return first;
}

/** The value a predicate path selects: `$.…` on JSON or XML, `/…` XPath-like on XML. */
export function readBodyPath(body: unknown, path: string): unknown {
  return path.startsWith('/') ? readXPath(body, path) : readPath(body, path);
}

function matches(predicate: ErrorPredicate, body: unknown): boolean {
  const found = readBodyPath(body, predicate.path);
  // `$.code` read across an array body (a page of records) finds nothing when no record has it.
  const value = Array.isArray(found) && found.every((entry) => entry === undefined) ? undefined : found;
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
 * Fails a 2xx response whose parsed body (JSON, or XML as {@link parseStatusBody} reads it)
 * says it is an error ("error inside a 200"): retryable predicates throw
 * {@link BadResponseError} (retried), others {@link HttpStatusError}.
 *
 * @example
 * checkErrorPredicates({ code: 'INTERNAL_ERROR' }, [{ path: '$.code', exists: true, retryable: true }], url, redact);
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

/**
 * {@link checkErrorPredicates} on raw bytes: parsed as JSON or XML; a body that is neither (CSV,
 * binary) cannot be an error envelope and passes.
 */
export function checkBodyPredicates(
  bytes: Buffer,
  predicates: ErrorPredicate[],
  url: string,
  redact: (text: string) => string,
): void {
  if (predicates.length === 0) return;
  const body = parseStatusBody(bytes);
  if (body !== undefined) checkErrorPredicates(body, predicates, url, redact);
}

/**
 * Whether the body of an error status (a 4xx the retry policy does not list) is a transient
 * error envelope: the first `error_when` predicate it matches is retryable. Meta answers its
 * rate limits with HTTP 400 and `{"error":{"code":17,…}}`; a 400 with code 100 (a bad
 * parameter) matches a non-retryable predicate, or none, and still fails at once.
 *
 * @example
 * isTransientErrorBody(Buffer.from('{"error":{"code":17}}'), [{ path: '$.error.code', in: [17], retryable: true }]); // true
 */
export function isTransientErrorBody(bytes: Buffer, predicates: ErrorPredicate[]): boolean {
  if (predicates.length === 0) return false;
  const body = parseStatusBody(bytes);
  if (body === undefined) return false;
  const first = predicates.find((predicate) => matches(predicate, body));
  return first?.retryable === true;
}
