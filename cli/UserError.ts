/**
 * An error the user can fix (bad config, missing credentials, bad arguments). The CLI prints its
 * message alone — no stack trace — and exits with `exitCode`.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
