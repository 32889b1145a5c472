import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedStack, root, type Template } from './support/packagedStack';

interface Outcome {
  code: number;
  output: string;
}

/**
 * The Fargate extractor image (Dockerfile) cannot be built here (no Docker engine), so this runs
 * what the image holds: the bundle the Dockerfile copies, started with `node` alone, in an empty
 * environment and a folder outside the repository, as the container starts it.
 */
describe('the Fargate extractor image', () => {
  let template: Template;
  let app: string;

  beforeAll(async () => {
    ({ template } = await packagedStack());
    app = mkdtempSync(join(tmpdir(), 'dif-extractor-image-'));
    cpSync(join(root, 'dist', 'extractTask'), join(app, 'extractTask'), { recursive: true });
  }, 300_000);
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  /** `node --enable-source-maps extractTask/index.js` with only PATH/HOME and `env` set. */
  function start(env: Record<string, string>): Promise<Outcome> {
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ['--enable-source-maps', 'extractTask/index.js'],
        { cwd: app, env: { PATH: '/usr/bin:/bin', HOME: app, ...env }, timeout: 30_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, output: `${stdout}${stderr}` }),
      );
    });
  }

  it('starts with node alone and says which task input is missing', async () => {
    const outcome = await start({});
    expect(outcome.output).not.toMatch(/Cannot find module/);
    expect(outcome.output).toContain('DIF_TASK_INPUT is not set');
    expect(outcome.code).toBe(2);
  });

  it('loads its bundled configuration and AWS SDK, then names the first missing stack setting', async () => {
    const outcome = await start({
      DIF_TASK_INPUT: JSON.stringify({ item: { runId: 'r1', itemId: 'i1' } }),
      DIF_TASK_TOKEN: 'token',
      DIF_CONFIG_DIR: join(app, 'extractTask'),
    });
    expect(outcome.output).not.toMatch(/Cannot find module/);
    expect(outcome.output).toMatch(/environment variable DIF_BUCKET is not set \(the data-lake bucket\)/);
    expect(outcome.code).toBe(1);
  });

  it('is started the way the task definition says, from the folder the Dockerfile copies', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const container = (
      template.Resources.ExtractTaskDefinition!.Properties.ContainerDefinitions as {
        Command: string[];
        Environment: { Name: string; Value: unknown }[];
      }[]
    )[0]!;
    expect(dockerfile).toContain('RUN node bin/build.mjs --only extractTask --no-zip');
    expect(dockerfile).toContain('COPY --from=build /src/dist/extractTask/ /app/extractTask/');
    expect(dockerfile).toContain(`CMD ${JSON.stringify(container.Command).replace(/","/g, '", "')}`);
    expect(container.Environment).toContainEqual({ Name: 'DIF_CONFIG_DIR', Value: '/app/extractTask' });
  });
});
