import { request } from 'node:http';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of a running moto_server, or '' when none is reachable (the moto suites skip). */
    motoUrl: string;
  }
}

/** The moto_server `scripts/ensure-services.sh` starts (DIF_MOTO_URL overrides). */
export function motoBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.DIF_MOTO_URL ?? `http://127.0.0.1:${env.DIF_MOTO_PORT ?? '5055'}`;
}

function reachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/moto-api/`, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/**
 * Vitest global setup: looks for moto_server once per test run and hands its URL to the test
 * files. Missing moto fails the run in CI (CI=true) and, elsewhere, skips the moto suites with
 * one line saying how to enable them.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = motoBaseUrl();
  if (await reachable(url)) {
    project.provide('motoUrl', url);
    return;
  }
  const how = `start it with \`bash scripts/ensure-services.sh\` (needs \`pip install 'moto[server]==5.*'\`) or set DIF_MOTO_URL`;
  if (process.env.CI === 'true')
    throw new Error(`moto_server is not reachable at ${url} and CI=true requires it: ${how}`);
  console.warn(`moto_server not reachable at ${url}: the aws-profile suites on moto are skipped; ${how}`);
  project.provide('motoUrl', '');
}
