/**
 * Issue 14 §6, end to end: an API answers with an error body that quotes the token it was sent,
 * in each encoding APIs use (JSON `\/` escaping, lower-case %xx, base64, base64url, hex, upper
 * case, HTML entities). The real `dif run`, `dif runs list` and `dif runs show` run over it; no
 * form of the token may appear in anything they print, nor in any file of the data directory
 * (run state, queues, logs, lake, warehouse).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../services/credentials';
import { startDemoApi, type DemoApi } from '../../demo';
import type { EchoEncoding } from '../../demo/echoCredentials';
import { FileKeyring } from '../../shared/adapters/local/FileKeyring';
import { InProcessLockManager } from '../../shared/adapters/local/InProcessLockManager';
import { SqliteSecretRecordStore } from '../../shared/adapters/local/SqliteSecretRecordStore';
import { makeTempDir } from '../unit/credentials/support/tempDir';
import { secretForms } from './support/secretForms';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every character that one encoding or another escapes; no whitespace (error excerpts fold it). */
const TOKEN = 'Zx9/aB+cD=eF&gH<iJ>"kL\'mN~oP_qR-echo.7Q';
const ENCODINGS: EchoEncoding[] = [
  'raw',
  'json_slash',
  'percent_lower',
  'base64',
  'base64url',
  'hex',
  'upper',
  'html_entities',
];

/** One stream per encoding; `retry_*` answers 503 so the echo also travels the retry path. */
const STREAMS = [
  ...ENCODINGS.map((encoding) => ({ name: `e_${encoding}`, encoding, status: 401 })),
  { name: 'retry_hex', encoding: 'hex' as const, status: 503 },
];

const SOURCE = `name: echo
base_url: "{{ env.DIF_DEMO_API_URL }}/echo"
auth: { type: bearer, token: "{{ secrets.access_token }}" }
retry: { max_attempts: 2, base_delay: 10ms, max_delay: 20ms }
streams:
${STREAMS.map(
  ({ name }) => `  ${name}:
    request: { path: /${name}/x }
    records: $.data
    columns: { id: varchar(32) }
    load: { table: ${name} }
`,
).join('')}`;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function dif(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'cli', 'main.ts'), ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

function sqliteRows(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('a token echoed back by the API in any encoding never comes out (spawned: slow)', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let api: DemoApi;
  let dataDir: string;
  let runId: string;
  const printed: { where: string; text: string }[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('echo');
    const configDir = join(temp.dir, 'config');
    dataDir = join(temp.dir, 'data');
    mkdirSync(join(configDir, 'sources'), { recursive: true });
    mkdirSync(join(configDir, 'clients'), { recursive: true });
    writeFileSync(join(configDir, 'sources', 'echo.yml'), SOURCE);
    writeFileSync(join(configDir, 'clients', 'c.yml'), 'client: c\nsources:\n  echo: {}\n');
    const records = SqliteSecretRecordStore.inDataDir(dataDir);
    const locks = new InProcessLockManager();
    const keyring = await FileKeyring.open(join(dataDir, 'keyring.json'));
    await new CredentialStore({ records, keyring, locks }).put('c', 'echo', { access_token: TOKEN });
    records.close();
    await locks.close();
    api = await startDemoApi({
      faults: STREAMS.map(({ name, encoding, status }) => ({
        path: `/echo/${name}/`,
        kind: 'echo_credentials' as const,
        status,
        encoding,
        times: 1000,
      })),
    });
    const env = { DIF_DEMO_API_URL: api.url };
    const run = await dif(['run', '--no-progress', '--config', configDir, '--data-dir', dataDir], env);
    printed.push({ where: 'dif run stdout', text: run.stdout }, { where: 'dif run stderr', text: run.stderr });
    runId = /^run (\S+): failed/m.exec(run.stdout)?.[1] ?? '';
    for (const args of [
      ['runs', 'list'],
      ['runs', 'show', runId],
      ['runs', 'show', runId, '--json'],
    ]) {
      const shown = await dif([...args, '--data-dir', dataDir], env);
      printed.push({ where: `dif ${args.join(' ')}`, text: shown.stdout + shown.stderr });
    }
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await temp?.remove();
  });

  const hitsIn = (evidence: { where: string; text: string }[]): string[] =>
    evidence.flatMap(({ where, text }) =>
      secretForms(TOKEN)
        .filter((form) => text.includes(form))
        .map((form) => `${where} contains the token as ${JSON.stringify(form)}`),
    );

  it('the API really echoed the token in every encoding, and each item failed on it', async () => {
    expect(runId, printed[0]!.text + printed[1]!.text).not.toBe('');
    const echoed = api.requests.filter((request) => request.path.startsWith('/echo/'));
    for (const { name } of STREAMS)
      expect(
        echoed.some((request) => request.path === `/${'echo'}/${name}/x`),
        name,
      ).toBe(true);
    const items = JSON.parse(printed.find((entry) => entry.where.endsWith('--json'))!.text) as {
      items: { stream: string; stage: string; error?: string }[];
    };
    for (const { name } of STREAMS) {
      const item = items.items.find((candidate) => candidate.stream === name);
      expect(item?.stage, name).toBe('failed');
      // The echo reached the error text, and was redacted there rather than cut off.
      expect(item?.error, name).toMatch(/invalid token \[REDACTED\]/);
    }
  });

  it('nothing dif run, dif runs list or dif runs show printed holds the token', () => {
    expect(printed.map((entry) => entry.where)).toHaveLength(5);
    expect(hitsIn(printed)).toEqual([]);
  });

  it('no file in the data directory holds the token: run state, queues, logs, lake, warehouse', async () => {
    const files = await filesUnder(dataDir);
    expect(files.some((file) => relative(dataDir, file).startsWith('logs/'))).toBe(true);
    const evidence: { where: string; text: string }[] = [];
    for (const file of files) {
      const bytes = await readFile(file);
      const where = relative(dataDir, file);
      evidence.push({ where, text: bytes.toString('latin1') });
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) evidence.push({ where, text: gunzipSync(bytes).toString('latin1') });
      if (file.endsWith('.db')) evidence.push({ where: `${where} (rows)`, text: sqliteRows(file) });
    }
    expect(evidence.map((entry) => entry.where)).toEqual(
      expect.arrayContaining(['state.db (rows)', 'queues.db (rows)']),
    );
    expect(hitsIn(evidence)).toEqual([]);
  });
});
