import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  formatPath,
  parseFile,
  sourceDefinition,
  templateExpressions,
  type ConfigProblem,
  type SourceDefinition,
} from '../../shared/config';
import { UserError } from '../UserError';

/** A client param a catalog source reads: required unless every use has a `| default:`. */
export interface CatalogParam {
  name: string;
  required: boolean;
  /** The default of an optional param ('' when it defaults to nothing). */
  default?: string;
}

/** One platform of the catalog, with what a client must give it. */
export interface CatalogEntry {
  platform: string;
  file: string;
  source: SourceDefinition;
  /** The keys of the credentials JSON `dif credentials put` must store (`{{ secrets.NAME }}`). */
  credentialKeys: string[];
  params: CatalogParam[];
}

/**
 * Reads and validates every `catalog/*.yml` of `dir`, sorted by platform name. A file that is not
 * a valid source definition fails with every problem located (file:line: path).
 */
export function readCatalog(dir: string): CatalogEntry[] {
  if (!existsSync(dir)) throw new UserError(`no catalog folder at ${dir}; pass --catalog <dir>`);
  const problems: ConfigProblem[] = [];
  const entries: CatalogEntry[] = [];
  for (const name of readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()) {
    const file = join(dir, name);
    const source = parseFile(file, readFileSync(file, 'utf8'), sourceDefinition, problems);
    if (source) entries.push({ platform: source.name, file, source, ...inputsOf(source) });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return entries.sort((a, b) => a.platform.localeCompare(b.platform));
}

/** The entry of `platform`, or an error listing the known ones. */
export function catalogEntry(entries: CatalogEntry[], platform: string): CatalogEntry {
  const entry = entries.find((candidate) => candidate.platform === platform);
  if (entry) return entry;
  throw new UserError(
    `unknown platform "${platform}"; the catalog has: ${entries.map((known) => known.platform).join(', ') || 'none'}`,
  );
}

/**
 * The secrets and client params a source's templates read. A param is required when one of its
 * uses has no `| default:` (as `dif validate` asks every client for it); `client.name` is the
 * client's own name, never a param.
 */
export function inputsOf(source: SourceDefinition): Pick<CatalogEntry, 'credentialKeys' | 'params'> {
  const secrets = new Set<string>();
  const params = new Map<string, CatalogParam>();
  for (const [, template] of templateStrings(source, []))
    for (const { variable, filters } of templateExpressions(template)) {
      const [root, name] = variable.split('.');
      if (!name) continue;
      if (root === 'secrets') secrets.add(name);
      if (root !== 'client' || name === 'name') continue;
      const fallback = filters.find((filter) => /^default\s*(:|$)/.test(filter));
      const known = params.get(name);
      if (fallback === undefined) params.set(name, { name, required: true });
      else if (!known)
        params.set(name, { name, required: false, default: fallback.replace(/^default\s*:?/, '').trim() });
    }
  return {
    credentialKeys: [...secrets].sort(),
    params: [...params.values()].sort(
      (a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name),
    ),
  };
}

/** Every string holding `{{` in a parsed definition (defaults included), with its path. */
function* templateStrings(value: unknown, path: (string | number)[]): Generator<[string, string]> {
  if (typeof value === 'string') {
    if (value.includes('{{')) yield [formatPath(path), value];
  } else if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) yield* templateStrings(entry, [...path, index]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) yield* templateStrings(entry, [...path, key]);
  }
}
