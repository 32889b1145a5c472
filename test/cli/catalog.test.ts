/**
 * Issue 19: `dif catalog list`, `dif catalog show <platform>` and `dif init client --from-catalog`
 * — what an analyst onboarding a client reads (streams, grain, the credentials JSON to store, the
 * params to give) and the client file they start from.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main';
import { PROJECT_ROOT } from '../../cli/paths';
import { loadConfig } from '../../shared/config';
import { planProblems } from '../../cli/operations/planProblems';
import { runCli } from './support/runCli';

const dif = (...args: string[]) => runCli(buildProgram, args);

/** A platform with OAuth (its refresh_token key comes from the schema's default) and a listed partition. */
const OAUTH_PLATFORM = `name: zeta_ads
description: Zeta Ads reporting.
base_url: "{{ client.base_url | default: https://api.zeta.example/v2 }}"
auth:
  type: oauth2_refresh_token
  token_url: https://auth.zeta.example/token
  client_id: "{{ secrets.client_id }}"
  client_secret: "{{ secrets.client_secret }}"
headers: { X-Developer-Token: "{{ secrets.developer_token }}" }
streams:
  stats:
    partition:
      list: { account_id: "{{ client.account_ids }}" }
      date_range: { start: "{{ client.start_date }}", end: yesterday, step: P1D, lookback: P14D }
    request: { path: "/accounts/{{ partition.account_id }}/stats", query: { tz: "{{ client.timezone | default:UTC }}" } }
    records: $.rows
    columns: { day: date, clicks: bigint }
    primary_key: [day]
    load: { table: zeta_stats, mode: merge }
`;
const PLAIN_PLATFORM = `name: alpha_feed
description: Alpha feed.
base_url: https://alpha.example
auth: { type: api_key, in: header, name: X-Key, value: "{{ secrets.api_key }}" }
streams:
  a: { request: { path: /a }, records: $, columns: { id: bigint }, load: { table: alpha_a, mode: append } }
  b: { request: { path: /b }, records: $, columns: { id: bigint }, load: { table: alpha_b, mode: append } }
`;

let dir: string;
let catalogDir: string;
let configDir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dif-catalog-cli-'));
  catalogDir = join(dir, 'catalog');
  mkdirSync(catalogDir);
  writeFileSync(join(catalogDir, 'zeta_ads.yml'), OAUTH_PLATFORM);
  writeFileSync(join(catalogDir, 'alpha_feed.yml'), PLAIN_PLATFORM);
  configDir = join(dir, 'config');
  mkdirSync(join(configDir, 'sources'), { recursive: true });
  symlinkSync(join(PROJECT_ROOT, 'catalog'), join(configDir, 'catalog'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dif catalog list', () => {
  it('lists platforms sorted by name with their number of streams and description', async () => {
    const result = await dif('catalog', 'list', '--catalog', catalogDir);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^platform\s+streams\s+description$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^alpha_feed\s+2\s+Alpha feed\.$/),
      expect.stringMatching(/^zeta_ads\s+1\s+Zeta Ads reporting\.$/),
    ]);
    const json = await dif('catalog', 'list', '--catalog', catalogDir, '--json');
    expect(JSON.parse(json.stdout)).toEqual([
      { platform: 'alpha_feed', description: 'Alpha feed.', streams: 2 },
      { platform: 'zeta_ads', description: 'Zeta Ads reporting.', streams: 1 },
    ]);
  });

  it('lists the shipped catalog by default, meta included', async () => {
    const result = await dif('catalog', 'list', '--json');
    expect(result.code).toBe(0);
    const platforms = JSON.parse(result.stdout) as { platform: string; streams: number }[];
    expect(platforms).toContainEqual(expect.objectContaining({ platform: 'meta', streams: 6 }));
    expect(platforms.map((entry) => entry.platform)).toEqual(platforms.map((entry) => entry.platform).sort());
  });

  it('reports a broken catalog file at its line', async () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(
      join(broken, 'bad.yml'),
      'name: bad\nbase_url: https://x.example\nstreams:\n  s: { request: { path: /s }, load: { table: t, mode: upsert } }\n',
    );
    const result = await dif('catalog', 'list', '--catalog', broken);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.yml:4: streams\.s/);
  });
});

describe('dif catalog show', () => {
  it('derives the credentials JSON keys and the client params from the templates', async () => {
    const result = await dif('catalog', 'show', 'zeta_ads', '--catalog', catalogDir, '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      platform: 'zeta_ads',
      auth: 'oauth2_refresh_token (tokens from https://auth.zeta.example/token)',
      base_url: 'https://api.zeta.example/v2 (client param base_url)',
      // refresh_token is not written in the file: it is the auth block's default template.
      credentials: { client_id: '…', client_secret: '…', developer_token: '…', refresh_token: '…' },
      required_params: ['account_ids', 'start_date'],
      optional_params: [
        { name: 'base_url', default: 'https://api.zeta.example/v2' },
        { name: 'timezone', default: 'UTC' },
      ],
      streams: [
        {
          stream: 'stats',
          table: 'zeta_stats',
          load: 'merge',
          primary_key: ['day'],
          partition: 'account_id listed in a client param × date slices of P1D',
          lookback: 'P14D',
          async: false,
          columns: [
            { name: 'day', type: 'date' },
            { name: 'clicks', type: 'bigint' },
          ],
        },
      ],
    });
  });

  it('prints Meta: streams with grain and lookback, async report, the token to store, start_date required', async () => {
    const result = await dif('catalog', 'show', 'meta');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('auth: bearer');
    expect(result.stdout).toContain('{"access_token":"…"}');
    expect(result.stdout).toContain('client params: required start_date');
    expect(result.stdout).toContain('optional attribution_window (default P28D)');
    expect(result.stdout).toMatch(
      /ad_insights → meta_ad_insights \(merge\): Daily ad-level [^\n]+\n {4}grain: ad_id, date; items: account_id discovered from ad_accounts × date slices of P7D; lookback P28D \(client param attribution_window\)/,
    );
    expect(result.stdout).toContain('ad_placement_insights → meta_ad_placement_insights (merge, async report):');
    expect(result.stdout).toContain('auth: bearer');
    expect(result.stdout).toContain(
      'child meta_ad_insight_actions (one row per actions[] element; grain: ad_id, date, action_type)',
    );
  });

  it('names the known platforms when asked for an unknown one', async () => {
    const result = await dif('catalog', 'show', 'amazon', '--catalog', catalogDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown platform "amazon"; the catalog has: alpha_feed, zeta_ads');
  });
});

describe('dif init client --from-catalog', () => {
  const clientFile = (name: string) => join(configDir, 'clients', `${name}.yml`);

  it('writes a skeleton that validates once its placeholders are filled in', async () => {
    const result = await dif('init', 'client', 'acme', '--from-catalog', 'meta', '--config', configDir);
    expect(result.code).toBe(0);
    const text = readFileSync(clientFile('acme'), 'utf8');
    expect(text).toContain('      start_date: "TODO"');
    expect(text).toContain('      # attribution_window: P28D');
    expect(text).toContain('      # base_url: "https://graph.facebook.com/v21.0"');
    expect(text).toContain(`echo '{"access_token":"…"}' | dif credentials put --client acme --source meta`);
    // Left as written, `dif validate` stops on the placeholder, naming the client file and param.
    const problems = planProblems(loadConfig(configDir), new Date());
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems)
      expect(problem).toMatchObject({
        file: clientFile('acme'),
        path: 'sources.meta.params',
        // The message names the catalog file, not a sources/ file that does not exist.
        message: expect.stringMatching(/^catalog\/meta\.yml streams\.\w+\.partition \(client acme\): .*"TODO"/),
      });
    writeFileSync(clientFile('acme'), text.replace('start_date: "TODO"', 'start_date: "2026-01-01"'));
    expect(planProblems(loadConfig(configDir), new Date())).toEqual([]);
    const config = loadConfig(configDir);
    expect(config.clients.get('acme')?.sources.meta?.params).toEqual({ start_date: '2026-01-01' });
  });

  it('puts several platforms in one file, each with its own params and credentials', async () => {
    const result = await dif(
      'init',
      'client',
      'globex',
      '--from-catalog',
      'zeta_ads,alpha_feed',
      '--config',
      configDir,
      '--catalog',
      catalogDir,
    );
    expect(result.code).toBe(0);
    const text = readFileSync(clientFile('globex'), 'utf8');
    expect(text).toMatch(
      / {2}zeta_ads:\n {4}params:\n {6}account_ids: "TODO"\n {6}start_date: "TODO"\n {6}# base_url: "https:\/\/api\.zeta\.example\/v2"\n {6}# timezone: UTC\n/,
    );
    expect(text).toMatch(/ {2}alpha_feed:\n {4}params: \{\}\n/);
    expect(text).toContain(`echo '{"api_key":"…"}' | dif credentials put --client globex --source alpha_feed`);
  });

  it('never overwrites a client file', async () => {
    writeFileSync(clientFile('initech'), 'client: initech\nsources: {}\n');
    const result = await dif('init', 'client', 'initech', '--from-catalog', 'meta', '--config', configDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /initech\.yml already exists; edit it, or choose another client name \(nothing was written\)/,
    );
    expect(readFileSync(clientFile('initech'), 'utf8')).toBe('client: initech\nsources: {}\n');
  });

  it('refuses an unknown platform, listing the known ones, and writes nothing', async () => {
    const result = await dif(
      'init',
      'client',
      'hooli',
      '--from-catalog',
      'zeta_ads,amazon_ads',
      '--config',
      configDir,
      '--catalog',
      catalogDir,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown platform "amazon_ads"; the catalog has: alpha_feed, zeta_ads');
    expect(existsSync(clientFile('hooli'))).toBe(false);
  });

  it('refuses a client name that cannot name a file and a schema', async () => {
    const result = await dif('init', 'client', 'Acme Corp', '--from-catalog', 'meta', '--config', configDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('client name "Acme Corp" is not an identifier');
  });
});
