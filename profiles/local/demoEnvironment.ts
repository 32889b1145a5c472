import { credentialKeyOf, type DifConfig } from '../../shared/config';
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
 * every client × demo source (encrypted, like any credential; a shared credential once). A freshly started demo API has
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
    for (const [sourceName, clientSource] of Object.entries(client.sources)) {
      const values = DEMO_CREDENTIALS[sourceName];
      // A client that references a shared credential gets that one stored (once), not its own.
      const key = credentialKeyOf(client.client, sourceName, clientSource);
      if (!demoSources.includes(sourceName) || !values || existing.has(`${key.client}/${key.source}`)) continue;
      await credentials.put(key.client, key.source, values);
      existing.add(`${key.client}/${key.source}`);
    }
  }
  return demo;
}
