import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStore } from '../../../services/credentials';
import { FileKeyring } from '../../../shared/adapters/local/FileKeyring';
import { SqliteSecretRecordStore } from '../../../shared/adapters/local/SqliteSecretRecordStore';
import { InProcessLockManager } from '../../../shared/adapters/local/InProcessLockManager';
import { runCredentialsCli } from './support/runCredentialsCli';
import { makeTempDir } from './support/tempDir';

const SECRETS = { access_token: 'cli-access-token-7f3a', app_id: 'cli-app-id-991' };

describe('dif credentials', () => {
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let dataDir: string;
  const dif = (args: string[], stdin?: string) => runCredentialsCli(dataDir, ['credentials', ...args], stdin);
  const expectNoSecret = (text: string) => {
    for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
  };
  const readBack = async (client: string, source: string) => {
    const records = SqliteSecretRecordStore.inDataDir(dataDir);
    try {
      const store = new CredentialStore({
        records,
        keyring: await FileKeyring.open(join(dataDir, 'keyring.json')),
        locks: new InProcessLockManager(),
      });
      return await store.get(client, source);
    } finally {
      records.close();
    }
  };

  beforeEach(async () => {
    temp = await makeTempDir('cli');
    dataDir = join(temp.dir, '.dif');
  });
  afterEach(() => temp.remove());

  it('puts from stdin, creating a 0600 keyring, and prints metadata only', async () => {
    const result = await dif(['put', '--client', 'acme', '--source', 'graph_ads'], JSON.stringify(SECRETS));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(
      /^stored credentials for client acme source graph_ads: version 1, fields access_token, app_id, key local-\d{8}-[0-9a-f]{8}\n$/,
    );
    expectNoSecret(result.stdout + result.stderr);
    expect((await stat(join(dataDir, 'keyring.json'))).mode & 0o777).toBe(0o600);
    expect(await readBack('acme', 'graph_ads')).toEqual(SECRETS);
  });

  it('puts from a file', async () => {
    const file = join(temp.dir, 'creds.json');
    await writeFile(file, JSON.stringify({ api_key: 'file-api-key-123' }), { mode: 0o600 });
    const result = await dif(['put', '--client', 'globex', '--source', 'search', '--file', file]);
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await readBack('globex', 'search')).toEqual({ api_key: 'file-api-key-123' });
  });

  it.each([
    [['put', '--client', 'acme', '--source', 'graph_ads', JSON.stringify(SECRETS)], 'does not take credential values'],
    [['put', '--client', 'acme', '--source', 'graph_ads', '--access_token', SECRETS.access_token], '--access_token'],
    [['put', '--client', 'acme', '--source', 'graph_ads', `--access-token=${SECRETS.access_token}`], '--access-token'],
    [['put', '--client', 'acme', '--source', 'graph_ads', `-t${SECRETS.access_token}`], 'a short or malformed option'],
  ])('refuses a secret passed on the command line without echoing it: %j', async (args, says) => {
    const result = await dif(args, JSON.stringify(SECRETS));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(says);
    expectNoSecret(result.stdout + result.stderr);
    expect((await dif(['list', '--json'])).stdout.trim()).toBe('[]');
  });

  it('names an unknown option as such instead of blaming credential values on the command line', async () => {
    const result = await dif(['put', '--client', 'acme', '--source', 'graph_ads', '--config', 'clients/acme.yml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown option --config');
    expect(result.stderr).toContain('--file');
    expect(result.stderr).not.toContain('credential values on the command line');
    expect((await dif(['list', '--json'])).stdout.trim()).toBe('[]');
  });

  it('stores a shared credential once and lists which client sources reference it (issue 16 §8)', async () => {
    const config = join(temp.dir, 'config');
    await mkdir(join(config, 'sources'), { recursive: true });
    await mkdir(join(config, 'clients'));
    await writeFile(
      join(config, 'sources', 'ads.yml'),
      'name: ads\nbase_url: https://ads.example.com\nstreams:\n  s:\n    request: { path: /s }\n    columns: { id: bigint }\n    load: { table: s }\n',
    );
    const client = (name: string, ref: string) =>
      writeFile(
        join(config, 'clients', `${name}.yml`),
        `client: ${name}\nsources:\n  ads: { credentials: { ref: ${ref} } }\n`,
      );
    await client('acme', 'agency-ads');
    await client('globex', 'agency-ads');
    await client('initech', 'other-login');

    const put = await dif(['put', '--shared', 'agency-ads'], JSON.stringify(SECRETS));
    expect(put.exitCode).toBe(0);
    expect(put.stdout).toMatch(
      /^stored credentials as shared credentials agency-ads: version 1, fields access_token, app_id/,
    );
    expect(await readBack('@shared', 'agency-ads')).toEqual(SECRETS);

    const list = await dif(['list', '--config', config]);
    expect(list.stdout).toMatch(/^@shared\s+agency-ads\s+1\s/m);
    expect(list.stdout).toContain('shared credentials used by clients (credentials.ref in clients/*.yml):');
    expect(list.stdout).toMatch(/^ {2}agency-ads\s+acme\/ads, globex\/ads$/m);
    expect(list.stdout).toContain(
      'other-login  initech/ads  (not stored: dif credentials put --shared other-login --file creds.json)',
    );
    expectNoSecret(list.stdout + list.stderr);
    const json = JSON.parse((await dif(['list', '--json', '--config', config])).stdout) as unknown[];
    expect(json).toEqual([
      expect.objectContaining({ client: '@shared', source: 'agency-ads', usedBy: ['acme/ads', 'globex/ads'] }),
    ]);

    expect((await dif(['show-meta', '--shared', 'agency-ads'])).stdout).toContain('source:   agency-ads');
    const both = await dif(['put', '--shared', 'agency-ads', '--client', 'acme'], JSON.stringify(SECRETS));
    expect(both).toMatchObject({ exitCode: 2 });
    expect(both.stderr).toContain('either --shared NAME');
    expect((await dif(['put', '--client', 'acme'], '{}')).stderr).toContain('(missing --source)');
    expect((await dif(['delete', '--shared', 'agency-ads'])).stdout).toBe('deleted shared credentials "agency-ads"\n');
    expect((await dif(['delete', '--shared', 'agency-ads'])).stderr).toContain(
      'no shared credentials "agency-ads" stored; add them with `dif credentials put --shared agency-ads --file creds.json`',
    );
  });

  it('explains bad input without quoting it', async () => {
    const notJson = await dif(
      ['put', '--client', 'acme', '--source', 'graph_ads'],
      `{"access_token": ${SECRETS.access_token}}`,
    );
    expect(notJson.exitCode).toBe(1);
    expect(notJson.stderr).toContain('stdin is not valid JSON');
    expectNoSecret(notJson.stderr);

    const wrongType = await dif(
      ['put', '--client', 'acme', '--source', 'graph_ads'],
      JSON.stringify({ access_token: [SECRETS.access_token] }),
    );
    expect(wrongType.stderr).toContain('field "access_token" is object, not a string');
    expectNoSecret(wrongType.stderr);

    expect((await dif(['put', '--client', 'acme', '--source', 'graph_ads'], '  ')).stderr).toContain(
      'nothing on stdin',
    );
    expect(
      (await dif(['put', '--client', 'acme', '--source', 'graph_ads', '--file', join(temp.dir, 'missing.json')]))
        .stderr,
    ).toContain('ENOENT');
  });

  it('list, show-meta and delete never print values', async () => {
    await dif(['put', '--client', 'acme', '--source', 'graph_ads'], JSON.stringify(SECRETS));
    await dif(['put', '--client', 'globex', '--source', 'search'], JSON.stringify({ api_key: SECRETS.app_id }));

    const table = await dif(['list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^CLIENT\s+SOURCE\s+VERSION\s+KEY\s+ROTATED\s+FIELDS$/);
    expect(table.stdout).toMatch(/acme\s+graph_ads\s+1\s+local-\S+\s+\S+\s+access_token,app_id/);
    const json = JSON.parse((await dif(['list', '--json'])).stdout) as { client: string; fields: string[] }[];
    expect(json.map((meta) => [meta.client, meta.fields])).toEqual([
      ['acme', ['access_token', 'app_id']],
      ['globex', ['api_key']],
    ]);
    const meta = await dif(['show-meta', '--client', 'acme', '--source', 'graph_ads']);
    expect(meta.stdout).toContain('fields:   access_token, app_id');
    const metaJson = await dif(['show-meta', '--client', 'acme', '--source', 'graph_ads', '--json']);
    expect(JSON.parse(metaJson.stdout)).toMatchObject({ client: 'acme', version: 1 });
    for (const output of [table, meta, metaJson]) expectNoSecret(output.stdout + output.stderr);

    const missing = await dif(['show-meta', '--client', 'acme', '--source', 'nope']);
    expect(missing).toMatchObject({ exitCode: 1 });
    expect(missing.stderr).toContain('no credentials stored for client "acme" source "nope"');

    expect((await dif(['delete', '--client', 'acme', '--source', 'graph_ads'])).stdout).toBe(
      'deleted credentials for client acme source graph_ads\n',
    );
    expect((await dif(['delete', '--client', 'acme', '--source', 'graph_ads'])).exitCode).toBe(1);
    expect(JSON.parse((await dif(['list', '--json'])).stdout)).toHaveLength(1);
  });

  it('rotate-key adds a master key and re-encrypts; reencrypt moves secrets to a given key', async () => {
    await dif(['put', '--client', 'acme', '--source', 'graph_ads'], JSON.stringify(SECRETS));
    const before = JSON.parse((await dif(['list', '--json'])).stdout)[0].keyId as string;

    const rotated = await dif(['rotate-key']);
    expect(rotated.exitCode).toBe(0);
    const newKey = /new master key (\S+) is now current/.exec(rotated.stdout)?.[1];
    expect(newKey).toBeDefined();
    expect(rotated.stdout).toContain(`re-encrypted 1 credential(s) under key ${newKey}`);
    expect(JSON.parse((await dif(['list', '--json'])).stdout)[0]).toMatchObject({ keyId: newKey, version: 2 });

    const back = await dif(['reencrypt', '--key-id', before]);
    expect(back.stdout).toBe(`re-encrypted 1 credential(s) under key ${before}; 0 already under it\n`);
    const again = await dif(['reencrypt', '--key-id', before, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ keyId: before, moved: [], skipped: [{ client: 'acme' }] });

    expect((await dif(['rotate-key', '--no-reencrypt'])).stdout).not.toContain('re-encrypted');
    expect(JSON.parse((await dif(['list', '--json'])).stdout)[0].keyId).toBe(before);
    expect(await readBack('acme', 'graph_ads')).toEqual(SECRETS);
    for (const output of [rotated, back, again]) expectNoSecret(output.stdout + output.stderr);
  });

  it('refuses a keyring readable by others, telling the user to chmod 600', async () => {
    await dif(['put', '--client', 'acme', '--source', 'graph_ads'], JSON.stringify(SECRETS));
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dataDir, 'keyring.json'), 0o644);
    const result = await dif(['list']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`chmod 600 ${join(dataDir, 'keyring.json')}`);
  });
});
