/** A path (records, cursor, column `from`) that is not written in the path language. */
export class PathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`path ${JSON.stringify(path)}: ${detail}`);
    this.name = 'PathSyntaxError';
  }
}
