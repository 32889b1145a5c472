import { REDACTED, redact } from './secretRedactor';

/**
 * Query (and fragment) parameter names whose values are credentials: api_key, apikey, key,
 * token, access_token, refresh_token, client_secret, secret, signature (X-Amz-Signature),
 * credential, password, auth, code, session…, matched as whole `_`/`-`-separated words.
 */
const SECRET_PARAM =
  /(^|[_-])(api[_-]?key|apikey|key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret|secret|signature|sig|credential|password|passwd|pwd|auth|authorization|code|session|sessionid)$/i;

/**
 * A URL safe to put in a log line or error message: values of secret-looking query and
 * fragment parameters become `[REDACTED]`, a password in the user-info is removed, and any
 * registered secret value anywhere else (a key in the path) is replaced too. Works on text that
 * is not a valid URL as well, since error messages carry whatever the API handed back.
 *
 * @example
 * redactUrl('https://api.example.com/v1/report?api_key=abc123&day=2026-01-01');
 * // 'https://api.example.com/v1/report?api_key=[REDACTED]&day=2026-01-01'
 */
export function redactUrl(url: string): string {
  const withoutPassword = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@?#:]*):[^/@?#]*@/i, `$1:${REDACTED}@`);
  const fragmentAt = withoutPassword.indexOf('#');
  const beforeFragment = fragmentAt === -1 ? withoutPassword : withoutPassword.slice(0, fragmentAt);
  const fragment = fragmentAt === -1 ? undefined : withoutPassword.slice(fragmentAt + 1);
  const queryAt = beforeFragment.indexOf('?');
  const base = queryAt === -1 ? beforeFragment : beforeFragment.slice(0, queryAt);
  let result = base;
  if (queryAt !== -1) result += `?${redactParams(beforeFragment.slice(queryAt + 1))}`;
  if (fragment !== undefined) result += `#${redactParams(fragment)}`;
  return redact(result);
}

function redactParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const name = safeDecode(pair.slice(0, equals));
      return SECRET_PARAM.test(name) ? `${pair.slice(0, equals)}=${REDACTED}` : pair;
    })
    .join('&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
