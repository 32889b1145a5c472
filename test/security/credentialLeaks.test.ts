import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../services/credentials';
import { FileKeyring } from '../../shared/adapters/local/FileKeyring';
import { SqliteSecretRecordStore } from '../../shared/adapters/local/SqliteSecretRecordStore';
import { logger, redirectLogs } from '../../shared/log/logger';
import { redactUrl } from '../../shared/log/redactUrl';
import { InProcessLockManager } from '../../shared/adapters/local/InProcessLockManager';
import { runCredentialsCli } from '../unit/credentials/support/runCredentialsCli';
import { makeTempDir } from '../unit/credentials/support/tempDir';
import { secretForms } from './support/secretForms';

/** Values chosen so no ordinary text contains them by accident. */
const SECRETS = {
  access_token: 'leakscan-access-9Q7w2Zp4',
  refresh_token: 'leakscan-refresh-X1c8Vb5n',
  client_secret: 'leakscan-csecret-M3k6Ld0r',
};
const forms = secretForms;

function hits(haystack: string | Buffer): string[] {
  const text = Buffer.isBuffer(haystack) ? haystack.toString('latin1') : haystack;
  return Object.values(SECRETS)
    .flatMap(forms)
    .filter((form) => text.includes(form));
}

describe('credentials never leak', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataDir: string;
  let store: CredentialStore;
  let records: SqliteSecretRecordStore;
  const logLines: string[] = [];

  beforeAll(async () => {
    temp = await makeTempDir('leaks');
    dataDir = join(temp.dir, '.dif');
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => logLines.push(chunk.toString('utf8')));
    redirectLogs(sink);
    const cli = await runCredentialsCli(
      dataDir,
      ['credentials', 'put', '--client', 'acme', '--source', 'oauth_ads'],
      JSON.stringify(SECRETS),
    );
    expect(cli.exitCode).toBe(0);
    expect(hits(cli.stdout + cli.stderr)).toEqual([]);
    records = SqliteSecretRecordStore.inDataDir(dataDir);
    store = new CredentialStore({
      records,
      keyring: await FileKeyring.open(join(dataDir, 'keyring.json')),
      locks: new InProcessLockManager(),
    });
  });
  afterAll(async () => {
    records.close();
    await temp.remove();
  });

  it('scrubs decrypted values from log lines, whatever the key name or nesting', async () => {
    const values = await store.get('acme', 'oauth_ads');
    logger.info(`calling with Bearer ${values.access_token}`);
    logger.info('request', {
      headers: { 'X-Custom-Auth': values.access_token },
      body: `grant_type=refresh_token&refresh_token=${encodeURIComponent(values.refresh_token!)}`,
    });
    logger.warn('payload', { echoed: [{ deep: { value: Buffer.from(values.client_secret!).toString('base64') } }] });
    logger.error(
      'request failed',
      new Error(`401 from https://api.example.com/token?client_secret=${values.client_secret}`),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(logLines.length).toBeGreaterThanOrEqual(4);
    expect(hits(logLines.join('\n'))).toEqual([]);
    expect(logLines.join('\n')).toContain('[REDACTED]');
  });

  it('stores no plaintext in secrets.db (and its WAL) or the keyring file', async () => {
    await store.rotate('acme', 'oauth_ads', { refresh_token: 'leakscan-refresh-rotated-Hh42' });
    const files = (await readdir(dataDir)).filter((name) => name.startsWith('secrets.db') || name === 'keyring.json');
    expect(files).toContain('secrets.db');
    expect(files).toContain('keyring.json');
    for (const name of files) {
      const bytes = await readFile(join(dataDir, name));
      expect(hits(bytes), name).toEqual([]);
      expect(bytes.includes('leakscan-refresh-rotated-Hh42'), name).toBe(false);
    }
  });

  it('keeps values out of errors: decrypt failures, bad input, URLs', async () => {
    const stored = (await records.get('acme', 'oauth_ads'))!;
    const messages: string[] = [];
    const capture = (error: unknown) => {
      const caught = error as Error;
      messages.push(`${caught.message}\n${caught.stack}\n${String(caught.cause)}`);
    };
    await records.put({
      ...stored,
      version: stored.version + 1,
      ciphertext: stored.ciphertext.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    });
    await store.get('acme', 'oauth_ads', { fresh: true }).catch(capture);
    await store
      .put('acme', 'x', { access_token: { value: SECRETS.access_token } } as unknown as Record<string, string>)
      .catch(capture);
    await store.rotate('acme', 'missing', { refresh_token: SECRETS.refresh_token }).catch(capture);
    expect(messages).toHaveLength(3);
    expect(messages.map(hits)).toEqual([[], [], []]);
    expect(redactUrl(`https://api.example.com/a?access_token=${SECRETS.access_token}&x=${SECRETS.client_secret}`)).toBe(
      'https://api.example.com/a?access_token=[REDACTED]&x=[REDACTED]',
    );
  });

  it('list and show-meta print field names, never values', async () => {
    for (const args of [
      ['list'],
      ['list', '--json'],
      ['show-meta', '--client', 'acme', '--source', 'oauth_ads', '--json'],
    ]) {
      const result = await runCredentialsCli(dataDir, ['credentials', ...args]);
      expect(result.stdout).toContain('refresh_token');
      expect(hits(result.stdout + result.stderr)).toEqual([]);
    }
  });
});
