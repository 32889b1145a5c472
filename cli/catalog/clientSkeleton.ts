import type { CatalogEntry } from './readCatalog';

/** The value written for a required param: `dif validate` or the first run stops on it until it is replaced. */
export const PARAM_PLACEHOLDER = 'TODO';

/**
 * The text of `clients/<client>.yml` turning on catalog platforms: each platform's required
 * params as placeholders, its optional ones commented out with their defaults, and the
 * `dif credentials put` line with the keys its definition reads.
 *
 * @example
 * clientSkeleton('acme', [metaEntry]); // "client: acme\n…\n  meta:\n    params:\n      start_date: \"TODO\" …"
 */
export function clientSkeleton(client: string, entries: CatalogEntry[], command: string): string {
  const lines = [
    `# Written by \`${command}\`.`,
    `# Replace every "${PARAM_PLACEHOLDER}", store each platform's credentials, then run \`dif validate\`.`,
    `client: ${client}`,
    `warehouse: { schema: ${client} }`,
    'sources:',
  ];
  for (const entry of entries) {
    const required = entry.params.filter((param) => param.required);
    const optional = entry.params.filter((param) => !param.required);
    const credentials = JSON.stringify(Object.fromEntries(entry.credentialKeys.map((key) => [key, '…'])));
    lines.push(
      `  # ${entry.source.description ?? entry.platform}`,
      `  # Page: docs/catalog/${entry.platform}.md`,
      `  # Credentials: echo '${credentials}' | dif credentials put --client ${client} --source ${entry.platform}`,
      `  ${entry.platform}:`,
      required.length + optional.length === 0 ? '    params: {}' : '    params:',
      ...required.map((param) => `      ${param.name}: "${PARAM_PLACEHOLDER}"`),
      ...optional.map((param) => `      # ${param.name}: ${param.default ? yamlScalar(param.default) : '""'}`),
      `    # streams: [${Object.keys(entry.source.streams).join(', ')}]   # default: every stream`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A default as YAML: quoted when plain YAML would read it as something else. */
function yamlScalar(value: string): string {
  return /^[\w./-]+$/.test(value) && !/^(true|false|null|yes|no|~|\d[\d.]*)$/i.test(value)
    ? value
    : JSON.stringify(value);
}
