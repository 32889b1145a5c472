/**
 * Redis could not be reached (refused, timed out, loading, read-only replica). Thrown by the
 * Redis limiter in `onRedisDown: 'fail'` mode, and in `'fallback'` mode when a limit is too
 * small to split between the configured number of workers.
 */
export class RedisUnavailableError extends Error {
  constructor(
    readonly url: string,
    readonly operation: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    const cause = options?.cause instanceof Error ? options.cause.message : String(options?.cause ?? 'unknown error');
    super(
      `Redis at ${url} is unavailable while ${operation} (${cause}). ` +
        (options?.hint ??
          'Check that REDIS_URL points at a running Redis, that this worker can reach it (host, port, firewall/security group, TLS, password), ' +
            "or set onRedisDown: 'fallback' to continue on a conservative per-worker limit."),
      { cause: options?.cause },
    );
    this.name = 'RedisUnavailableError';
  }
}

/** A rate-limit policy that cannot be enforced (no limits, zero requests, negative windows). */
export class InvalidLimitPolicyError extends Error {
  constructor(detail: string) {
    super(
      `invalid rate-limit policy: ${detail}. Check the source's rate_limit block (requests > 0, per > 0, concurrency > 0).`,
    );
    this.name = 'InvalidLimitPolicyError';
  }
}

/** The caller's AbortSignal fired while it waited for a permit or a lock. */
export class AcquireAbortedError extends Error {
  constructor(what: string) {
    super(`gave up waiting for ${what}: the operation was aborted`);
    this.name = 'AbortError';
  }
}
