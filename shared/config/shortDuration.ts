const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a short duration (the `shortDuration` config type) such as `500ms`, `30s`, `1h` (validated by the schema). */
export function parseShortDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`"${text}" is not a duration like 500ms, 30s or 1h`);
  return Number(match[1]) * UNITS[match[2]!]!;
}
