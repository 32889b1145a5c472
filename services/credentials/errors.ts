import { credentialOptions, describeCredential, SHARED_CREDENTIALS } from '../../shared/config/credentialKey';
import { PermanentError } from '../../shared/runtime/errors';

/**
 * Credential errors name the client, source and field names — never a value — so they are safe
 * to log, store in run state and show in the Step Functions console. Missing, undecryptable or
 * malformed credentials are permanent: retrying cannot fix them, a person must store them.
 */

/** No credential is stored for the client × source. */
export class CredentialNotFoundError extends PermanentError {
  constructor(
    readonly client: string,
    readonly source: string,
  ) {
    super(
      'Credentials.NotFound',
      `${client === SHARED_CREDENTIALS ? `no shared credentials "${source}" stored` : `no credentials stored for client "${client}" source "${source}"`}; add them with ` +
        `\`dif credentials put ${credentialOptions({ client, source })} --file creds.json\``,
    );
    this.name = 'CredentialNotFoundError';
  }
}

/** A stored credential failed authentication: wrong master key, wrong context or tampering. */
export class CredentialDecryptError extends PermanentError {
  constructor(
    readonly client: string,
    readonly source: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'Credentials.Undecryptable',
      `${describeCredential({ client, source })} could not be decrypted: ${detail}. ` +
        'If the keyring was replaced or the record was altered, store them again with `dif credentials put`.',
      options,
    );
    this.name = 'CredentialDecryptError';
  }
}

/** Values given to `put`/`rotate` are not a flat object of non-empty strings with valid names. */
export class InvalidCredentialValuesError extends PermanentError {
  constructor(
    readonly client: string,
    readonly source: string,
    detail: string,
  ) {
    super(
      'Credentials.Invalid',
      `${describeCredential({ client, source })} are invalid: ${detail}. ` +
        'Expected a JSON object of field name to string value, e.g. {"access_token": "…"}.',
    );
    this.name = 'InvalidCredentialValuesError';
  }
}

/** Other writers kept winning the conditional write; nothing was lost, but this change was not saved. */
export class CredentialWriteConflictError extends Error {
  constructor(
    readonly client: string,
    readonly source: string,
    attempts: number,
  ) {
    super(
      `${describeCredential({ client, source })} were changed by other writers ${attempts} times in a row while ` +
        'this write was retried; the change was not saved. Retry; if it persists, check that every worker uses the same lock service (REDIS_URL).',
    );
    this.name = 'CredentialWriteConflictError';
  }
}
