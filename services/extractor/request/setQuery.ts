/**
 * Sets query parameters on a URL, form-encoded, while every other parameter stays byte for byte
 * as written. `URL.searchParams.set` re-encodes the whole query string, which destroys syntax a
 * platform reads from the raw text: LinkedIn's Rest.li
 * `dateRange=(start:(year:2026,month:2,day:1))` must reach the server with its parentheses,
 * colons and commas unencoded (`%28…` is a string there, not a record), so a source writes such
 * a query in the request `path`, and paging adds its `pageToken` next to it here.
 *
 * @example
 * setQuery('https://h/x?search=(a:List(B))&pageToken=1', { pageToken: '2' })
 * // 'https://h/x?search=(a:List(B))&pageToken=2'
 */
export function setQuery(url: string | URL, params: Record<string, string>): string {
  const parsed = new URL(url);
  const names = Object.keys(params);
  if (names.length === 0) return parsed.toString();
  const kept = parsed.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !names.includes(decodedName(pair)));
  const added = new URLSearchParams(params).toString();
  parsed.search = [...kept, added].join('&');
  return parsed.toString();
}

function decodedName(pair: string): string {
  const name = pair.split('=', 1)[0]!;
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
