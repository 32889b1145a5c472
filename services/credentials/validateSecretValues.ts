import { InvalidCredentialValuesError } from './errors';
import type { SecretValues } from './types';

/** Field names usable as `{{ secrets.NAME }}`. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/**
 * Checks that `input` is a flat object of non-empty string values under template-safe names.
 * Errors name the offending field, never its value.
 *
 * @example
 * validateSecretValues('acme', 'graph_ads', JSON.parse(text)); // { access_token: '…' }
 */
export function validateSecretValues(
  client: string,
  source: string,
  input: unknown,
  options: { allowEmpty?: boolean } = {},
): SecretValues {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new InvalidCredentialValuesError(
      client,
      source,
      `got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input} instead of an object`,
    );
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length === 0 && !options.allowEmpty)
    throw new InvalidCredentialValuesError(client, source, 'the object has no fields');
  const values: SecretValues = {};
  for (const [name, value] of entries) {
    if (!FIELD_NAME.test(name)) {
      throw new InvalidCredentialValuesError(
        client,
        source,
        `field name ${JSON.stringify(name.slice(0, 100))} is not usable as {{ secrets.NAME }} (letters, digits and _ only, not starting with a digit)`,
      );
    }
    if (typeof value !== 'string')
      throw new InvalidCredentialValuesError(
        client,
        source,
        `field "${name}" is ${value === null ? 'null' : typeof value}, not a string`,
      );
    if (value.length === 0) throw new InvalidCredentialValuesError(client, source, `field "${name}" is empty`);
    values[name] = value;
  }
  return values;
}
