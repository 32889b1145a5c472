import { PermanentError } from '../../shared/runtime/errors';

/** A table or column name that is not a safe SQL identifier. */
export class InvalidIdentifierError extends PermanentError {
  constructor(what: string, name: string) {
    super(
      'Load.InvalidIdentifier',
      `${what} "${name}" is not a valid warehouse identifier: use lower-case letters, digits and _, starting with a letter or _, at most 63 characters. Rename it in the stream's columns or load config, then replay the message.`,
    );
    this.name = 'InvalidIdentifierError';
  }
}

/** The declared columns would need a change the warehouse cannot make without losing data. */
export class DestructiveSchemaChangeError extends PermanentError {
  constructor(
    readonly table: string,
    readonly problems: string[],
  ) {
    super(
      'Load.DestructiveSchemaChange',
      `cannot load into ${table}: ${problems.join('; ')}. DIF only adds columns and widens types (varchar(n)→varchar(m>n), smallint→int→bigint, real→double, decimal with more digits). Declare a type the existing column can hold, or migrate the table by hand (or load into a new table), then replay the message.`,
    );
    this.name = 'DestructiveSchemaChangeError';
  }
}

/** The clean CSV does not fit the table (bad value, wrong header, NULL in a key). */
export class BadLoadDataError extends PermanentError {
  constructor(table: string, batchId: string, detail: string, options?: { cause?: unknown }) {
    super(
      'Load.BadData',
      `cannot load batch ${batchId} into ${table}: ${detail}. The clean CSV does not match the declared columns; fix the stream's columns/transform (or the transformer), re-run the item, or replay the message once fixed.`,
      options,
    );
    this.name = 'BadLoadDataError';
  }
}

/** The load request or the stream's load configuration is inconsistent. */
export class InvalidLoadRequestError extends PermanentError {
  constructor(detail: string) {
    super('Load.InvalidRequest', `${detail}.`);
    this.name = 'InvalidLoadRequestError';
  }
}

/** The COPY manifest is missing or not in the Redshift manifest format. */
export class InvalidManifestError extends PermanentError {
  constructor(manifestKey: string, detail: string) {
    super(
      'Load.InvalidManifest',
      `COPY manifest ${manifestKey} is unusable: ${detail}. Re-run the item so the transformer rewrites its clean parts and manifest.`,
    );
    this.name = 'InvalidManifestError';
  }
}
