/** The keyring file could not be used: wrong permissions, missing, or not a keyring. */
export class KeyringFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'KeyringFileError';
  }
}
