/**
 * The ways an API or a library may write a secret back: each an independent encoder, written
 * here apart from the redactor, so a leak scan does not trust the code it checks.
 */
export const SECRET_ENCODINGS = {
  raw: (value: string) => value,
  /** JSON string content with `/` escaped as `\/` (PHP's json_encode, many Java encoders). */
  json_slash: (value: string) => JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/'),
  /** JSON string content with <, >, & and ' as \u00XX (Go's encoding/json). */
  json_unicode: (value: string) =>
    JSON.stringify(value)
      .slice(1, -1)
      .replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  percent_upper: (value: string) => encodeURIComponent(value),
  percent_lower: (value: string) => encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  form: (value: string) => new URLSearchParams({ v: value }).toString().slice(2),
  base64: (value: string) => Buffer.from(value).toString('base64'),
  base64url: (value: string) => Buffer.from(value).toString('base64url'),
  hex: (value: string) => Buffer.from(value).toString('hex'),
  hex_upper: (value: string) => Buffer.from(value).toString('hex').toUpperCase(),
  upper: (value: string) => value.toUpperCase(),
  lower: (value: string) => value.toLowerCase(),
  html_named: (value: string) =>
    value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!),
  html_numeric: (value: string) => value.replace(/[^A-Za-z0-9]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
} as const;

export type SecretEncoding = keyof typeof SECRET_ENCODINGS;

/** Every distinct form of `value` under the encodings above. */
export function secretForms(value: string): string[] {
  return [...new Set(Object.values(SECRET_ENCODINGS).map((encode) => encode(value)))];
}
