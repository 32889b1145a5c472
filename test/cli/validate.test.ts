import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** What a user sees from `dif validate`: every problem located, no stack trace, a failing exit code. */
async function difValidate(configDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'cli/main.ts', 'validate', '--config', configDir],
      { cwd: process.cwd() },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

const GOOD_SOURCE = `name: shop_api
base_url: https://api.shop.example
streams:
  orders:
    request: { path: /orders }
    records: $.data
    columns: { id: bigint, total: "decimal(12,2)" }
    primary_key: [id]
    load: { table: orders, mode: merge }
`;

describe('dif validate', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dif-validate-'));
    mkdirSync(join(dir, 'sources'));
    mkdirSync(join(dir, 'clients'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts the project configuration', async () => {
    const result = await difValidate(process.cwd());
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok: \d+ source\(s\)/);
  });

  it('reports a wrong type, an unknown key and a missing field with file:line and path, without a stack trace', async () => {
    writeFileSync(
      join(dir, 'sources', 'shop_api.yml'),
      GOOD_SOURCE.replace('records: $.data', 'records: $.data\n    paginat: { type: cursor }').replace(
        'mode: merge',
        'mode: upsert',
      ),
    );
    writeFileSync(
      join(dir, 'clients', 'acme.yml'),
      'client: acme\nsources:\n  shop_api:\n    params: { store: 12 }\n    streams: orders\n',
    );
    writeFileSync(join(dir, 'clients', 'globex.yml'), 'sources:\n  shop_api: {}\n');
    const result = await difValidate(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack frames
    expect(result.stderr).toMatch(/sources\/shop_api\.yml:\d+: streams\.orders: unknown key "paginat"/);
    expect(result.stderr).toMatch(/sources\/shop_api\.yml:\d+: streams\.orders\.load\.mode: .*"append"/);
    expect(result.stderr).toMatch(/clients\/acme\.yml:5: sources\.shop_api\.streams: .*expected array/);
    expect(result.stderr).toMatch(/clients\/globex\.yml:\d+: client: required field is missing/);
  });

  it('refuses impossible dates, which would plan nothing, with file:line; and dates that break only once templated', async () => {
    const dated = mkdtempSync(join(tmpdir(), 'dif-validate-dates-'));
    try {
      mkdirSync(join(dated, 'sources'));
      mkdirSync(join(dated, 'clients'));
      writeFileSync(
        join(dated, 'sources', 'shop_api.yml'),
        GOOD_SOURCE.replace(
          '    request: { path: /orders }',
          '    partition: { date_range: { start: "{{ client.start_date }}", end: "2026-13-01" } }\n    request: { path: /orders }',
        ),
      );
      writeFileSync(
        join(dated, 'clients', 'acme.yml'),
        'client: acme\nsources:\n  shop_api:\n    params: { start_date: "2026-02-30" }\n',
      );
      const result = await difValidate(dated);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /sources\/shop_api\.yml:5: streams\.orders\.partition\.date_range\.end: "2026-13-01" is not a calendar date/,
      );
      expect(result.stderr).toMatch(
        /clients\/acme\.yml:4: sources\.shop_api\.params\.start_date: "2026-02-30" is not a calendar date; fix the day or month/,
      );
      // A value that is no date at all only shows once the template is rendered: validate plans it too.
      writeFileSync(
        join(dated, 'sources', 'shop_api.yml'),
        GOOD_SOURCE.replace(
          '    request: { path: /orders }',
          '    partition: { date_range: { start: "{{ client.start_date }}", end: "2026-03-01" } }\n    request: { path: /orders }',
        ),
      );
      writeFileSync(
        join(dated, 'clients', 'acme.yml'),
        'client: acme\nsources:\n  shop_api:\n    params: { start_date: "01/02/2026" }\n',
      );
      const templated = await difValidate(dated);
      expect(templated.code).toBe(1);
      expect(templated.stderr).toContain(
        'clients/acme.yml: sources.shop_api.params: sources/shop_api.yml streams.orders.partition (client acme): date_range.start is "01/02/2026"; expected YYYY-MM-DD',
      );
    } finally {
      rmSync(dated, { recursive: true, force: true });
    }
  });

  it('reports a reference to a source that does not exist, naming the known ones', async () => {
    writeFileSync(join(dir, 'sources', 'shop_api.yml'), GOOD_SOURCE);
    writeFileSync(join(dir, 'clients', 'acme.yml'), 'client: acme\nsources:\n  shop_apy: {}\n');
    writeFileSync(join(dir, 'clients', 'globex.yml'), 'client: globex\nsources:\n  shop_api: {}\n');
    const result = await difValidate(dir);
    expect(result.code).toBe(1);
    // The known ones include the shipped catalog, which a config folder without its own uses.
    expect(result.stderr).toContain(
      'clients/acme.yml:3: sources.shop_apy: no source named "shop_apy" (known: shop_api, amazon_ads, ga4,',
    );
  });
});

describe('dif schema', () => {
  it('writes the whole JSON Schema through a pipe, not just what fits in one pipe buffer', async () => {
    // The reader waits a second, so the pipe is full when the command is done writing.
    const command = `"${process.execPath}" --import tsx cli/main.ts schema source | (sleep 1; cat)`;
    const { stdout } = await run('sh', ['-c', command], { cwd: process.cwd(), maxBuffer: 1 << 24 });
    expect(stdout.length).toBeGreaterThan(65_536);
    const schema = JSON.parse(stdout) as { properties: { streams: unknown } };
    expect(JSON.stringify(schema.properties.streams)).toContain('children');
  });
});
