/** At most this many empty items are named in the warning (in label order); the rest are counted. */
const NAMED_ITEMS = 10;

/**
 * The run-summary warning about items that loaded no records (their stream's `expect_records`
 * allows it, but a person should know): none when there are none. Finalize stores it with the
 * run; `dif run` prints it.
 *
 * @example
 * emptyItemsWarning([{ label: 'acme/ads/report/2026-01-01' }]);
 * // ['1 item loaded no records (empty): acme/ads/report/2026-01-01. If a stream must never be empty, …']
 */
export function emptyItemsWarning(empty: { label: string }[]): string[] {
  if (empty.length === 0) return [];
  const named = empty
    .map((item) => item.label)
    .sort()
    .slice(0, NAMED_ITEMS);
  const more = empty.length > NAMED_ITEMS ? `, …and ${empty.length - NAMED_ITEMS} more` : '';
  return [
    `${empty.length} item${empty.length === 1 ? '' : 's'} loaded no records (empty): ${named.join(', ')}${more}. If a stream must never be empty, set expect_records: always on it`,
  ];
}
