/**
 * Every secret value decrypted in this process is registered here, so that logs, error
 * messages, run state and stored objects can be scrubbed of it wherever it appears — not only
 * under known key names.
 */
const MIN_SECRET_LENGTH = 4;
const secrets = new Set<string>();
let pattern: RegExp | undefined;

export const REDACTED = '[REDACTED]';

/** Registers decrypted secret values (and their URL-encoded forms) for redaction. */
export function registerSecrets(values: Iterable<string>): void {
  let changed = false;
  for (const value of values) {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) continue;
    for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64')]) {
      if (!secrets.has(form)) {
        secrets.add(form);
        changed = true;
      }
    }
  }
  if (changed) pattern = undefined;
}

/** Forgets every registered secret (tests). */
export function clearRegisteredSecrets(): void {
  secrets.clear();
  pattern = undefined;
}

function secretPattern(): RegExp | undefined {
  if (secrets.size === 0) return undefined;
  // Longest first so a secret that contains another is replaced whole.
  pattern ??= new RegExp(
    [...secrets]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return pattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces every registered secret inside `text`. */
export function redact(text: string): string {
  const current = secretPattern();
  return current ? text.replace(current, REDACTED) : text;
}

/** Redacts strings anywhere inside a JSON-like value. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redactDeep(entry)])) as T;
  }
  return value;
}
