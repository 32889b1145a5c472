import { ConfigError } from '../shared/config/errors';
import { KeyringFileError } from '../shared/adapters/local/KeyringFileError';
import { SqliteFileError } from '../shared/adapters/local/errors';
import { PermanentError } from '../shared/runtime/errors';
import { UserError } from './UserError';

/**
 * Errors whose message already says what happened, where and what to do: bad config, a damaged
 * file of the data directory, a keyring or credential that cannot be used, bad data. The CLI
 * prints their message alone; a stack trace would only bury it.
 *
 * @example
 * if (isUserFacing(error)) console.error(`error: ${error.message}`);
 */
export function isUserFacing(error: unknown): error is Error {
  return (
    error instanceof UserError ||
    error instanceof ConfigError ||
    error instanceof KeyringFileError ||
    error instanceof SqliteFileError ||
    error instanceof PermanentError
  );
}
