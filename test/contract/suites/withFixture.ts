import { randomUUID } from 'node:crypto';

/** Runs `test` on a new fixture and always cleans it up, so a failing test leaves nothing behind. */
export async function withFixture<F extends { cleanup(): Promise<void> }>(
  open: () => Promise<F>,
  test: (fixture: F) => Promise<void>,
): Promise<void> {
  const fixture = await open();
  try {
    await test(fixture);
  } finally {
    await fixture.cleanup();
  }
}

/** A key or scope no other test (or earlier run against the same Redis) has used. */
export function freshKey(name: string): string {
  return `contract:${name}:${randomUUID()}`;
}
