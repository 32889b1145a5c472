import { it } from 'vitest';

export interface RaceOptions {
  /**
   * Why this backend cannot decide races between concurrent conditional writes (an emulator's
   * gap, not the adapter's): the race tests are skipped with the reason in their name.
   */
  unserialisedWrites?: string;
}

/** A test of concurrent conditional writes: exactly one writer must win, which only a backend that serialises them can show. */
export function racingIt(options: RaceOptions, name: string) {
  const reason = options.unserialisedWrites;
  return (test: () => Promise<void>) => (reason ? it.skip(`${name} (skipped: ${reason})`, test) : it(name, test));
}
