import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalRuntime, type LocalRunOutcome, type LocalRuntimeOptions } from '../../../profiles/local/LocalRuntime';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import type { RunFilter } from '../../../profiles/local/LocalRuntime';

/** The project's shipped platform definitions. */
export const CATALOG_DIR = resolve(import.meta.dirname, '../../../catalog');

export interface CatalogReplay {
  runtime: LocalRuntime;
  /** The local data directory (object store, queues, run state, warehouse) of this replay. */
  dataDir: string;
  /** Runs the whole local pipeline (the deployed state machine, queues, transformer, loader). */
  run(filter?: RunFilter): Promise<LocalRunOutcome>;
  /** One row of a warehouse query. */
  one(sql: string): Promise<Record<string, unknown>>;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * A config folder holding the shipped `catalog/` and one client, with that client's credentials
 * stored as `dif credentials put` would: a catalog source run as a user runs it, against a
 * fixture server the client's `base_url` parameter points at.
 *
 * @example
 * const replay = await openCatalogReplay({
 *   client: 'acme', clientYaml: `client: acme\nwarehouse: { schema: acme }\nsources:\n  meta: { params: { base_url: "${api.url}" } }\n`,
 *   credentials: { meta: { access_token: 't' } },
 * });
 */
export async function openCatalogReplay(options: {
  client: string;
  clientYaml: string;
  /** Per source name, the secret values `dif credentials put` stores. */
  credentials: Record<string, Record<string, string>>;
  /**
   * Runtime settings. By default the state machine's waits are cut to nothing (a report's
   * `poll.wait`, the wait before re-submitting a failed job, Retry intervals): a replay needs
   * no real minutes. The extractor's own HTTP backoff is the source's, as in production.
   */
  runtime?: Partial<Omit<LocalRuntimeOptions, 'configDir' | 'dataDir'>>;
}): Promise<CatalogReplay> {
  const dir = mkdtempSync(join(tmpdir(), 'dif-catalog-replay-'));
  const configDir = join(dir, 'config');
  for (const folder of ['sources', 'clients']) mkdirSync(join(configDir, folder), { recursive: true });
  symlinkSync(CATALOG_DIR, join(configDir, 'catalog'));
  writeFileSync(join(configDir, 'clients', `${options.client}.yml`), options.clientYaml);
  clearOAuthTokenCache();
  const runtime = await LocalRuntime.open({
    configDir,
    dataDir: join(dir, 'data'),
    ...options.runtime,
    ingest: { maxWaitSeconds: 0, retryIntervalScale: 0.01, ...options.runtime?.ingest },
  });
  for (const [source, values] of Object.entries(options.credentials))
    await runtime.credentials.put(options.client, source, values);
  return {
    runtime,
    dataDir: join(dir, 'data'),
    run: (filter) => runtime.run(filter),
    one: async (sql) => (await runtime.ctx.ports.warehouse.query(sql))[0]!,
    rows: (sql) => runtime.ctx.ports.warehouse.query(sql),
    close: async () => {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A client file naming one catalog source with its params, as `dif init client` writes it once
 * filled in.
 *
 * @example
 * oneSourceClientYaml('meta', { base_url: api.url, start_date: '2026-02-01' });
 */
export function oneSourceClientYaml(source: string, params: Record<string, string>, client = 'acme'): string {
  const lines = Object.entries(params).map(([name, value]) => `      ${name}: ${JSON.stringify(value)}`);
  return [
    `client: ${client}`,
    `warehouse: { schema: ${client} }`,
    'sources:',
    `  ${source}:`,
    '    params:',
    ...lines,
    '',
  ].join('\n');
}
