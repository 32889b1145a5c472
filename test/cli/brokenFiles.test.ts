/**
 * Issue 14 §5: a broken file of the data directory or the config folder gets one error line that
 * names the file and says what to do — no stack trace, no `[object Object]`, exit code 1.
 * Each case spawns the real `dif` binary, because what is under test is what a person sees.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileKeyring } from '../../shared/adapters/local/FileKeyring';
import { SqliteSecretRecordStore } from '../../shared/adapters/local/SqliteSecretRecordStore';
import { InProcessLockManager } from '../../shared/adapters/local/InProcessLockManager';
import { CredentialStore } from '../../services/credentials';
import { makeTempDir } from '../unit/credentials/support/tempDir';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function dif(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'cli', 'main.ts'), ...args],
      { cwd: PROJECT_ROOT, timeout: 60_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

/** One line, starting `error:`, naming `file`, without a stack frame or an unprinted object. */
function expectOneLineError(outcome: Outcome, file: string, advice: RegExp): void {
  const lines = outcome.stderr.trim().split('\n');
  expect(lines, outcome.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toMatch(advice);
  expect(outcome.stderr).not.toMatch(/\n\s+at |\[object Object\]|unexpected error/);
  expect(outcome.code).toBe(1);
}

describe('broken files get one clear line from the dif binary (spawned: slow)', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;

  beforeAll(async () => {
    temp = await makeTempDir('broken');
  });
  afterAll(async () => temp?.remove());

  const dataDirWith = (name: string, bytes: Buffer | string, mode = 0o600): string => {
    const dataDir = join(temp.dir, `data-${name}-${randomBytes(3).toString('hex')}`);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, name), bytes);
    chmodSync(join(dataDir, name), mode);
    return dataDir;
  };

  it.each(['state.db', 'queues.db', 'secrets.db'])(
    'dif run with a corrupt %s names the file and how to recover',
    async (name) => {
      const dataDir = dataDirWith(name, randomBytes(8192));
      const outcome = await dif(['run', '--no-progress', '--data-dir', dataDir, '--client', 'acme']);
      expectOneLineError(outcome, join(dataDir, name), /not a SQLite database.*(restore|move|delete)/i);
    },
    60_000,
  );

  it('dif run with a keyring that is not JSON names the keyring and says to restore it', async () => {
    const dataDir = dataDirWith('keyring.json', '{"format": 1, "keys": [');
    const outcome = await dif(['run', '--no-progress', '--data-dir', dataDir, '--client', 'acme']);
    expectOneLineError(outcome, join(dataDir, 'keyring.json'), /restore it from backup/);
  }, 60_000);

  it('dif run with a replaced keyring names the keyring and says to store the credentials again', async () => {
    const dataDir = join(temp.dir, 'data-replaced-keyring');
    const keyring = await FileKeyring.open(join(dataDir, 'keyring.json'));
    const records = SqliteSecretRecordStore.inDataDir(dataDir);
    const locks = new InProcessLockManager();
    await new CredentialStore({ records, keyring, locks }).put('acme', 'demo_ads', { api_key: 'demo-key-123456' });
    records.close();
    await locks.close();
    const other = {
      format: 1,
      current: 'local-new',
      keys: [{ id: 'local-new', key: randomBytes(32).toString('base64'), createdAt: '2026-01-01' }],
    };
    writeFileSync(join(dataDir, 'keyring.json'), JSON.stringify(other), { mode: 0o600 });
    const outcome = await dif(['run', '--no-progress', '--data-dir', dataDir, '--client', 'acme']);
    expectOneLineError(outcome, join(dataDir, 'keyring.json'), /dif credentials put/);
  }, 60_000);

  it('dif validate on a YAML alias bomb reports the file and line instead of a stack trace', async () => {
    const configDir = join(temp.dir, 'bomb-config');
    mkdirSync(join(configDir, 'sources'), { recursive: true });
    mkdirSync(join(configDir, 'clients'), { recursive: true });
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h'].entries()) {
      const previous = String.fromCharCode('a'.charCodeAt(0) + index);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    writeFileSync(join(configDir, 'sources', 'bomb.yml'), `name: bomb\n${levels.join('\n')}\n`);
    const outcome = await dif(['validate', '--config', configDir]);
    const file = join(configDir, 'sources', 'bomb.yml');
    expect(outcome.stderr).not.toMatch(/\n\s+at |\[object Object\]|unexpected error/);
    expect(outcome.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+: \\(yaml\\): .*alias`));
    expect(outcome.code).toBe(1);
  }, 60_000);
});
