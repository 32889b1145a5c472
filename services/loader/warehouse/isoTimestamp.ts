/**
 * A timestamptz as a warehouse returns it — a Date (node-postgres), text such as
 * `2026-01-08 07:00:00+00` (PGlite, the Redshift Data API) — in ISO 8601, so every warehouse
 * reports a superseding batch's extraction time alike. Unparseable text is returned as it is.
 *
 * @example
 * isoTimestamp('2026-01-08 07:00:00+00'); // '2026-01-08T07:00:00.000Z'
 */
export function isoTimestamp(value: unknown): string {
  const date = value instanceof Date ? value : new Date(String(value).replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
