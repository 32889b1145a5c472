/**
 * True when `error` is an AWS SDK v3 service exception with the given name (or, for S3 HEAD
 * requests that carry no body, the given HTTP status).
 */
export function isAwsError(error: unknown, name: string, status?: number): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  if (candidate.name === name || candidate.Code === name) return true;
  return status !== undefined && candidate.$metadata?.httpStatusCode === status && candidate.name !== 'TimeoutError';
}
