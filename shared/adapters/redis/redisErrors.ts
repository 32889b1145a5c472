/** Reply prefixes that mean "this node cannot serve right now", not "the command is wrong". */
const UNAVAILABLE_REPLIES = /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|BUSY)\b/;

/**
 * True when an ioredis error means Redis is unreachable or not serving (connection refused,
 * closed, timed out, retries exhausted) rather than a bug in a script or a wrong key type.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLIES.test(error.message);
  return true;
}

/** Removes a password from a Redis URL so it can appear in errors and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable Redis URL)';
  }
}
