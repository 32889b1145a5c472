import type { DifConfig } from '../../shared/config';
import type { CredentialStore } from '../../services/credentials';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../demo';

/** The variable demo sources read their base URL from (`{{ env.DIF_DEMO_API_URL }}`). */
export const DEMO_URL_VARIABLE = 'DIF_DEMO_API_URL';

/** Sources whose definition points at the demo API. */
export function demoSourcesOf(config: DifConfig): string[] {
  return [...config.sources.values()]
    .filter((source) => source.base_url.includes(`env.${DEMO_URL_VARIABLE}`))
    .map((source) => source.name);
}

/**
 * Makes a configuration that uses the bundled demo API runnable offline: starts the demo API on
 * a free port unless DIF_DEMO_API_URL already points at one, and stores the demo credentials for
 * every client × demo source (encrypted, like any credential). A freshly started demo API has
 * forgotten the refresh tokens it rotated last time, so its credentials are stored anew; with an
 * external demo API only missing credentials are added.
 * Returns undefined when no source uses the demo API.
 */
export async function prepareDemoEnvironment(
  config: DifConfig,
  credentials: CredentialStore,
): Promise<DemoApi | undefined> {
  const demoSources = demoSourcesOf(config);
  if (demoSources.length === 0) return undefined;
  const demo = process.env[DEMO_URL_VARIABLE] ? undefined : await startDemoApi();
  if (demo) process.env[DEMO_URL_VARIABLE] = demo.url;
  const existing = new Set(demo ? [] : (await credentials.list()).map((entry) => `${entry.client}/${entry.source}`));
  for (const client of config.clients.values()) {
    for (const sourceName of Object.keys(client.sources)) {
      const values = DEMO_CREDENTIALS[sourceName];
      if (!demoSources.includes(sourceName) || !values || existing.has(`${client.client}/${sourceName}`)) continue;
      await credentials.put(client.client, sourceName, values);
    }
  }
  return demo;
}
