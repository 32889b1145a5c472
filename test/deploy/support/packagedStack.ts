import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const root = resolve(import.meta.dirname, '../../..');

export type Json = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties: Json;
  Condition?: string;
  DependsOn?: string[];
}
export interface Template {
  Resources: Record<string, Resource>;
}

export interface PackagedStack {
  template: Template;
  /** The folder holding cloudformation-template-update-stack.json (for cfn-lint). */
  dir: string;
  templateFile: string;
}

/**
 * `npm run package` once per test run (bundles, then `osls package` offline), shared by every test
 * file that reads the template: the test workers are children of one vitest process, so its pid
 * keys the output, and a lock directory makes the first worker package while the others wait.
 * Packaging twice at once would also race on dist/.
 */
export async function packagedStack(): Promise<PackagedStack> {
  const base = join(tmpdir(), 'dif-package');
  mkdirSync(base, { recursive: true });
  removeStale(base);
  const dir = join(base, `run-${process.ppid}`);
  const done = join(dir, 'done');
  const templateFile = join(dir, 'cloudformation-template-update-stack.json');
  const load = (): PackagedStack => {
    const failure = readFileSync(done, 'utf8');
    if (failure) throw new Error(`npm run package failed (in another test file): ${failure}`);
    return { template: JSON.parse(readFileSync(templateFile, 'utf8')) as Template, dir, templateFile };
  };
  try {
    mkdirSync(dir);
  } catch {
    for (let waited = 0; !existsSync(done); waited += 200) {
      if (waited > 240_000) throw new Error(`gave up waiting for another test file to package into ${dir}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    }
    return load();
  }
  try {
    await run(process.execPath, [join(root, 'bin/build.mjs')], { cwd: root });
    // osls packages offline; the AWS variables keep the SDK from looking for credentials.
    await run(
      process.execPath,
      [join(root, 'node_modules/osls/bin/serverless.js'), 'package', '--stage', 'dev', '--package', dir],
      {
        cwd: root,
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'offline',
          AWS_SECRET_ACCESS_KEY: 'offline',
          SLS_TELEMETRY_DISABLED: '1',
        },
      },
    );
    writeFileSync(done, '');
  } catch (error) {
    writeFileSync(done, String((error as Error).message).slice(0, 2000) || 'unknown error');
  }
  return load();
}

/** Output of test runs whose vitest process is gone. */
function removeStale(base: string): void {
  for (const entry of readdirSync(base)) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid || pid === process.ppid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      rmSync(join(base, entry), { recursive: true, force: true });
    }
  }
}
