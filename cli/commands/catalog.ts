import type { Command } from 'commander';
import { join } from 'node:path';
import { PROJECT_ROOT, resolveConfigDir } from '../paths';
import { UserError } from '../UserError';
import { commandOutput } from '../operations/commandOutput';

const CATALOG_OPTION = [
  '--catalog <dir>',
  'folder of platform definitions (default: the catalog/ shipped with DIF)',
] as const;
const catalogDir = (option: string | undefined) => option ?? join(PROJECT_ROOT, 'catalog');

/** `dif catalog list|show`: the shipped platform definitions and what each needs from a client. */
export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('The shipped platform definitions (Meta, TikTok, …): list them, or show one');

  catalog
    .command('list')
    .description('List the platforms: name, number of streams, description')
    .option(...CATALOG_OPTION)
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, options: { catalog?: string; json?: boolean }) {
      const out = commandOutput(this);
      const [{ readCatalog }, { formatList, summarize }] = await Promise.all([
        import('../catalog/readCatalog'),
        import('../catalog/describeCatalog'),
      ]);
      const entries = readCatalog(catalogDir(options.catalog));
      if (!options.json) return out(formatList(entries));
      out(
        JSON.stringify(
          entries.map((entry) => {
            const { platform, description, streams } = summarize(entry);
            return { platform, description, streams: streams.length };
          }),
        ),
      );
    });

  catalog
    .command('show')
    .description(
      'Show a platform: streams (table, grain, columns, load mode, lookback), auth, the credentials JSON to store and the client params it needs',
    )
    .argument('<platform>', 'a platform name from `dif catalog list`')
    .option(...CATALOG_OPTION)
    .option('--json', 'print the result as JSON')
    .action(async function (this: Command, platform: string, options: { catalog?: string; json?: boolean }) {
      const out = commandOutput(this);
      const [{ catalogEntry, readCatalog }, { formatShow, summarize }] = await Promise.all([
        import('../catalog/readCatalog'),
        import('../catalog/describeCatalog'),
      ]);
      const summary = summarize(catalogEntry(readCatalog(catalogDir(options.catalog)), platform));
      out(options.json ? JSON.stringify(summary) : formatShow(summary));
    });
}

/** `dif init client <name> --from-catalog a,b`: a client file naming catalog platforms. */
export function registerInitCommands(program: Command): void {
  const init = program.command('init').description('Write configuration skeletons');
  init
    .command('client')
    .description(
      'Write clients/<name>.yml turning on catalog platforms: required params as TODO placeholders, optional ones commented with their defaults, the credentials to store. Never overwrites a file.',
    )
    .argument('<name>', 'client name (lowercase letters, digits and _): the file name and warehouse schema')
    .requiredOption('--from-catalog <platforms>', 'comma-separated platform names, e.g. meta,tiktok')
    .option('--config <dir>', 'folder holding clients/ (default: the project folder)')
    .option(...CATALOG_OPTION)
    .action(async function (
      this: Command,
      name: string,
      options: { fromCatalog: string; config?: string; catalog?: string },
    ) {
      const out = commandOutput(this);
      const [{ existsSync, mkdirSync, writeFileSync }, { catalogEntry, readCatalog }, { clientSkeleton }] =
        await Promise.all([import('node:fs'), import('../catalog/readCatalog'), import('../catalog/clientSkeleton')]);
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
        throw new UserError(
          `client name "${name}" is not an identifier: use lowercase letters, digits and _ (it names the file and the warehouse schema)`,
        );
      const entries = readCatalog(catalogDir(options.catalog));
      const platforms = [...new Set(options.fromCatalog.split(',').map((platform) => platform.trim()))].filter(Boolean);
      if (platforms.length === 0)
        throw new UserError('--from-catalog names no platform; e.g. --from-catalog meta,tiktok');
      const chosen = platforms.map((platform) => catalogEntry(entries, platform));
      const clientsDir = join(resolveConfigDir(options.config), 'clients');
      const file = join(clientsDir, `${name}.yml`);
      if (existsSync(file))
        throw new UserError(`${file} already exists; edit it, or choose another client name (nothing was written)`);
      mkdirSync(clientsDir, { recursive: true });
      const command = `dif init client ${name} --from-catalog ${platforms.join(',')}`;
      writeFileSync(file, clientSkeleton(name, chosen, command), { flag: 'wx' });
      out(`wrote ${file}: replace the TODO params, store the credentials it lists, then run \`dif validate\``);
    });
}
