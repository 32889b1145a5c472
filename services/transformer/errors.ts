import { PermanentError } from '../../shared/runtime/errors';

/**
 * A raw object cannot be decoded (bad JSON/CSV/XML structure, invalid UTF-8, a record over the
 * size cap). Retrying reads the same bytes, so it is permanent.
 */
export class DecodeError extends PermanentError {
  constructor(where: string, what: string, fix: string) {
    super('Transform.Decode', `${where}: ${what}. ${fix}`);
    this.name = 'DecodeError';
  }
}

/** The records path of a JSON payload leads to no records: absent, null, or a string or number. */
export class RecordsPathError extends PermanentError {
  constructor(where: string, what: string, fix: string) {
    super('Transform.RecordsPath', `${where}: ${what}. ${fix}`);
    this.name = 'RecordsPathError';
  }
}

/** An item held no records although the stream says it always has some (`expect_records: always`). */
export class NoRecordsError extends PermanentError {
  constructor(message: string) {
    super('Transform.NoRecords', message);
    this.name = 'NoRecordsError';
  }
}

/** A gzip or zip object that looks like a decompression bomb or holds unsafe entry names. */
export class UnsafeArchiveError extends PermanentError {
  constructor(where: string, what: string, fix: string) {
    super('Transform.UnsafeArchive', `${where}: ${what}. ${fix}`);
    this.name = 'UnsafeArchiveError';
  }
}

/** More records were rejected than the stream's threshold allows. */
export class RejectThresholdError extends PermanentError {
  constructor(message: string) {
    super('Transform.RejectThreshold', message);
    this.name = 'RejectThresholdError';
  }
}

/** The data no longer matches the declared columns and the drift policy says fail. */
export class SchemaDriftError extends PermanentError {
  constructor(message: string) {
    super('Transform.SchemaDrift', message);
    this.name = 'SchemaDriftError';
  }
}

/** An item has more distinct keys than dedupe may hold in memory (`transform.dedupe_max_keys`). */
export class DedupeLimitError extends PermanentError {
  constructor(message: string) {
    super('Transform.DedupeLimit', message);
    this.name = 'DedupeLimitError';
  }
}

/** The message names a source or stream the deployed configuration does not have. */
export class UnknownStreamError extends PermanentError {
  constructor(message: string) {
    super('Transform.UnknownStream', message);
    this.name = 'UnknownStreamError';
  }
}

/** The stream's transform settings contradict each other or the columns (caught before any data is read). */
export class TransformConfigError extends PermanentError {
  constructor(message: string) {
    super('Transform.Config', message);
    this.name = 'TransformConfigError';
  }
}
