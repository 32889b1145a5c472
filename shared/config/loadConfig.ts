import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors';
import { clientDefinition, sourceDefinition, type ClientDefinition, type SourceDefinition } from './schema';
import { crossCheck } from './crossCheck';
import { displayPath, readFolder } from './parseConfigFile';

export interface DifConfig {
  /** The folder holding `sources/`, `clients/` and, optionally, `catalog/`. */
  dir: string;
  sources: Map<string, SourceDefinition>;
  clients: Map<string, ClientDefinition>;
  /** Names of the sources read from `catalog/` (the others are in `sources/`). */
  catalogSources?: ReadonlySet<string>;
}

/**
 * The file that defines a source, for messages: `catalog/meta.yml` or `sources/graph_ads.yml`.
 *
 * @example
 * sourceFileOf(config, 'meta'); // 'catalog/meta.yml'
 */
export function sourceFileOf(config: Pick<DifConfig, 'catalogSources'>, source: string): string {
  return `${config.catalogSources?.has(source) ? CATALOG_FOLDER : 'sources'}/${source}.yml`;
}

/**
 * Reads and validates every `sources/*.yml`, `catalog/*.yml` and `clients/*.yml` under `dir`.
 * `catalog/` holds the shipped definitions of real platforms; a client names them like any
 * other source. It is optional, and a name defined in both folders is an error.
 * Throws {@link ConfigError} listing every problem with file, line and path.
 *
 * @example
 * const config = loadConfig('./');
 * config.sources.get('demo_ads')?.streams.campaigns.load.table; // 'campaigns'
 */
export function loadConfig(dir: string, options: LoadConfigOptions = {}): DifConfig {
  const problems: ConfigProblem[] = [];
  for (const folder of ['sources', 'clients']) {
    if (!existsSync(join(dir, folder))) {
      problems.push({
        file: displayPath(join(dir, folder)),
        path: '(folder)',
        message: `missing folder; a config folder holds sources/ and clients/ (looked in ${dir})`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const catalogParent = [dir, options.shippedCatalogParent].find(
    (parent) => parent !== undefined && existsSync(join(parent, CATALOG_FOLDER)),
  );
  const catalog = catalogParent ? readFolder(catalogParent, CATALOG_FOLDER, sourceDefinition, problems) : [];
  const sources = [...readFolder(dir, 'sources', sourceDefinition, problems), ...catalog];
  const clients = readFolder(dir, 'clients', clientDefinition, problems);
  const catalogSources = new Set(catalog.flatMap(({ value }) => (value ? [value.name] : [])));
  const config: DifConfig = { dir, sources: new Map(), clients: new Map(), catalogSources };
  for (const { value } of sources) if (value) config.sources.set(value.name, value);
  for (const { value } of clients) if (value) config.clients.set(value.client, value);
  problems.push(...crossCheck(config, sources, clients));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export interface LoadConfigOptions {
  /**
   * The folder whose `catalog/` holds the platform definitions DIF ships, read when `dir` has no
   * `catalog/` of its own: a user's config folder names catalog platforms without copying them.
   */
  shippedCatalogParent?: string;
}

/** The folder of shipped platform definitions, beside `sources/`. */
export const CATALOG_FOLDER = 'catalog';
