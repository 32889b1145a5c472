/** A key the directory object store cannot map safely onto a file path. */
export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(
      `invalid object key ${JSON.stringify(key)}: ${reason}. ` +
        'Keys are relative, "/"-separated paths such as raw/acme/ads/dt=2026-01-01/run=r1/item-000001.json.',
    );
    this.name = 'InvalidObjectKeyError';
  }
}

/** A URI given to `keyFromUri` that this store did not produce. */
export class ForeignObjectUriError extends Error {
  constructor(
    readonly uri: string,
    root: string,
  ) {
    super(
      `${uri} does not name an object of the local lake at ${root}; expected a lake:/// URI (or a file:// URL of a lake folder). The manifest was written by something else; re-run the item to write a new one.`,
    );
    this.name = 'ForeignObjectUriError';
  }
}

/** A run that `updateRun` was asked to change does not exist. */
export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} does not exist in run state; create it with createRun first (was the data dir changed?).`);
    this.name = 'RunNotFoundError';
  }
}

/** The first write of an item lacked one of the identity fields. */
export class ItemIdentityMissingError extends Error {
  constructor(
    readonly runId: string,
    readonly itemId: string,
    missing: string[],
  ) {
    super(`item ${itemId} of run ${runId} is new, so its first update must set ${missing.join(', ')}.`);
    this.name = 'ItemIdentityMissingError';
  }
}

/** A rate-limit policy that cannot be enforced (zero requests, non-positive window…). */
export class InvalidLimitPolicyError extends Error {
  constructor(scope: string, reason: string) {
    super(
      `rate limit policy for scope ${JSON.stringify(scope)} is invalid: ${reason}. Fix the source's rate_limit settings.`,
    );
    this.name = 'InvalidLimitPolicyError';
  }
}

/** The limiter or lock manager was closed while a caller was waiting on it. */
export class ClosedError extends Error {
  constructor(what: string) {
    super(`${what} was closed while waiting; the run is shutting down.`);
    this.name = 'ClosedError';
  }
}

/** The lock expired (its holder stalled longer than the TTL) and another worker took it. */
export class LockLostError extends Error {
  constructor(readonly key: string) {
    super(
      `lock ${key} expired while its work was still running and was taken by another worker; stop and retry the work.`,
    );
    this.name = 'LockLostError';
  }
}

/** A SQLite file of the data directory is damaged or is not a SQLite database at all. */
export class SqliteFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    recovery: string,
    options?: { cause?: unknown },
  ) {
    super(`${file} is not a SQLite database DIF can read (${detail}). ${recovery}`, options);
    this.name = 'SqliteFileError';
  }
}
