/** Helpers for fixture data that looks random but is known to the test. */

/** FNV-1a: a stable number from a text, for values that look random but are known. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** FNV-1a over numbers: the same parts always give the same statistics. */
export function seededHash(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash ^= part % 1_000_003;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Every day from since to until, inclusive (YYYY-MM-DD). */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  for (let day = new Date(`${since}T00:00:00Z`); day <= new Date(`${until}T00:00:00Z`);) {
    days.push(day.toISOString().slice(0, 10));
    day = new Date(day.getTime() + 86_400_000);
  }
  return days;
}
