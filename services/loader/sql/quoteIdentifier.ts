import { InvalidIdentifierError } from '../errors';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Validates a name from configuration or data and returns it double-quoted for SQL.
 * Only the identifier grammar of the config schema is accepted, so quoting never has to escape.
 *
 * @example
 * quoteIdentifier('campaign_id'); // '"campaign_id"'
 */
export function quoteIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name)) throw new InvalidIdentifierError(what, name);
  return `"${name}"`;
}

/** `"schema"."table"`, both parts validated. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema, 'schema')}.${quoteIdentifier(table, 'table')}`;
}
