/** A URI that does not point into this adapter's bucket (e.g. a COPY manifest from another stage). */
export class ForeignUriError extends Error {
  constructor(
    readonly uri: string,
    expectedPrefix: string,
  ) {
    super(
      `${uri} is not in this object store (expected a URI starting with ${expectedPrefix}); check that every stage uses the same DIF_BUCKET`,
    );
    this.name = 'ForeignUriError';
  }
}

/** An item update that lacks the identity fields its first write needs. */
export class ItemIdentityMissingError extends Error {
  constructor(
    readonly runId: string,
    readonly itemId: string,
  ) {
    super(
      `run ${runId} has no item ${itemId} yet: its first update must carry client, source, stream and partition (Plan creates items; was Plan skipped?)`,
    );
    this.name = 'ItemIdentityMissingError';
  }
}

/** A required environment variable of the aws profile is not set. */
export class AwsSettingMissingError extends Error {
  constructor(
    readonly variable: string,
    purpose: string,
  ) {
    super(
      `environment variable ${variable} is not set (${purpose}); serverless.yml sets it on every function — when running by hand, export it`,
    );
    this.name = 'AwsSettingMissingError';
  }
}

/** An update of a run that was never created. */
export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`run ${runId} does not exist in run state; Plan creates runs (is DIF_TABLE the table Plan wrote to?)`);
    this.name = 'RunNotFoundError';
  }
}
