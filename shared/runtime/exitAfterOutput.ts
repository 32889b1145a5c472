/**
 * Exits once stdout and stderr have handed over everything written. On a pipe (a shell pipe,
 * a container's log driver) those writes are asynchronous, and exiting at once cut output off
 * after 64 KiB. The exit itself stays explicit: open handles (Redis, timers) must not keep a
 * finished process alive.
 *
 * @example
 * main().then(exitAfterOutput);
 */
export async function exitAfterOutput(code: number): Promise<never> {
  const drained = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write('', () => resolve()));
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}
