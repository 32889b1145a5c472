import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors';
import { formatPath } from './formatIssues';
import { clientDefinition, sourceDefinition, type ClientDefinition, type SourceDefinition } from './schema';
import { crossCheck } from './crossCheck';
import type { LineOf } from './checkTemplates';

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

interface ParsedFile<T> {
  file: string;
  value?: T;
  lineOf?: LineOf;
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

/**
 * Reads and validates only `clients/*.yml` under `dir`, for commands that need what clients say
 * (e.g. which shared credentials they reference) without the cost of every source definition.
 * Throws {@link ConfigError} like {@link loadConfig}.
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

/** Paths under the current folder print relative (short, clickable); others print absolute. */
function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
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

function readFolder<S extends z.ZodType>(
  dir: string,
  folder: string,
  schema: S,
  problems: ConfigProblem[],
): ParsedFile<z.infer<S>>[] {
  const files = readdirSync(join(dir, folder))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();
  return files.map((name) => {
    const path = join(dir, folder, name);
    const file = displayPath(path);
    const located: { lineOf?: LineOf } = {};
    return { file, value: parseFile(file, readFileSync(path, 'utf8'), schema, problems, located), ...located };
  });
}

/** Parses one YAML file against a schema, mapping each issue back to its line. */
export function parseFile<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
  problems: ConfigProblem[],
  located: { lineOf?: LineOf } = {},
): z.infer<S> | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  located.lineOf = (path) => {
    // A path ending in a key points at that key's line (its value may start on a later one).
    const last = path[path.length - 1];
    const node =
      (typeof last === 'string' ? keyNodeAt(document.contents, path.slice(0, -1), last) : undefined) ??
      nodeAt(document.contents, path);
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  if (document.errors.length > 0) {
    for (const error of document.errors) {
      problems.push({
        file,
        line: lineCounter.linePos(error.pos[0]).line,
        path: '(yaml)',
        message: `${error.message.split('\n')[0]} — fix the YAML syntax`,
      });
    }
    return undefined;
  }
  let plain: unknown;
  try {
    plain = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    problems.push({
      file,
      line: firstAliasLine(document, lineCounter),
      path: '(yaml)',
      message: `${(error as Error).message.split('\n')[0]}: aliases (*name) here expand to more than ${MAX_ALIAS_COUNT} copies — write the values out, or share fewer of them through anchors`,
    });
    return undefined;
  }
  const result = schema.safeParse(plain);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    // An unknown key is shown at its own line, not at the first line of its block.
    const node =
      issue.code === 'unrecognized_keys'
        ? (keyNodeAt(document.contents, issue.path, issue.keys[0]!) ?? nodeAt(document.contents, issue.path))
        : nodeAt(document.contents, issue.path);
    const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
    problems.push({ file, line, path: formatPath(issue.path), message: describe(issue) });
  }
  return undefined;
}

/**
 * How many nodes aliases may expand to in one file. Config files share a few blocks through
 * anchors; a "billion laughs" file nests aliases to expand into billions of nodes.
 */
const MAX_ALIAS_COUNT = 100;

function firstAliasLine(document: Document, lineCounter: LineCounter): number | undefined {
  let line: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: check the spelling (\`dif schema\` prints every allowed key)`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message))
    return `required field is missing (expected ${issue.expected})`;
  return issue.message.replace(/^Invalid input: /, '');
}

function keyNodeAt(root: unknown, path: readonly PropertyKey[], key: string): Node | undefined {
  const map = nodeAt(root, path);
  if (!isMap(map)) return undefined;
  return map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key)?.key as Node | undefined;
}

function nodeAt(root: unknown, path: readonly PropertyKey[]): Node | undefined {
  let current = root as Node | undefined;
  let deepest = current;
  for (const segment of path) {
    if (isMap(current))
      current = current.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(segment))
        ?.value as Node | undefined;
    else if (isSeq(current) && typeof segment === 'number') current = current.items[segment] as Node | undefined;
    else current = undefined;
    if (!current) break;
    deepest = current;
  }
  return current ?? deepest;
}
