/** The UTC date `days` before today, as YYYY-MM-DD: replay windows end yesterday, as the catalog's `end` defaults do. */
export function utcDaysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}
