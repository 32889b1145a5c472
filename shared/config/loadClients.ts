import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors';
import { readFolder } from './parseConfigFile';
// The client schema alone: the source schemas, paging registry and template checks are not needed here.
import { clientDefinition, type ClientDefinition } from './schema/client';

/**
 * Reads and validates only `clients/*.yml` under `dir`, for commands that need what clients say
 * (e.g. which shared credentials they reference) without the cost of every source definition.
 * Throws {@link ConfigError} like loadConfig.
 *
 * @example
 * loadClients('./').get('initech')?.sources.sponsored_ads?.credentials?.ref; // 'agency-amazon'
 */
export function loadClients(dir: string): Map<string, ClientDefinition> {
  const problems: ConfigProblem[] = [];
  if (!existsSync(join(dir, 'clients'))) return new Map();
  const clients = readFolder(dir, 'clients', clientDefinition, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return new Map(clients.flatMap(({ value }) => (value ? [[value.client, value] as const] : [])));
}
