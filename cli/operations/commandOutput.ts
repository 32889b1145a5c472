import type { Command } from 'commander';

/**
 * Prints a line through the program's `configureOutput()` writer (stdout unless a test or an
 * embedding program replaced it), so output can be captured without touching `process.stdout`.
 */
export function commandOutput(command: Command): (text: string) => void {
  let root = command;
  while (root.parent) root = root.parent;
  const write = root.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
  return (text) => write(`${text}\n`);
}

/** JSON for scripts: one document, dates as ISO strings, bigints as text. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field), 2);
}
