/**
 * Issue 19: what every platform of the catalog promises its users, checked for each
 * `catalog/<platform>.yml` — a new platform is held to it the day it is added:
 * - the real API by default, the base URL from the `base_url` client param (replays, proxies);
 * - nothing read from the process environment, credentials only through `{{ secrets.* }}`;
 * - a description, and a primary key on every stream (merge loads, re-reads that do not duplicate);
 * - a client giving only the required params passes `dif validate` (schema and plan);
 * - a docs page naming the credential keys, a row in docs/catalog/README.md (sorted), a replay test.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../cli/catalog/readCatalog';
import { planProblems } from '../../cli/operations/planProblems';
import { loadConfig, templateExpressions } from '../../shared/config';
import { CATALOG_DIR } from './support/catalogReplay';

const ROOT = resolve(import.meta.dirname, '../..');
const entries = readCatalog(CATALOG_DIR);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A value a required param can take in a client file: a date for dates, else an id. */
const sample = (param: string) => (/date$/.test(param) ? '2026-01-01' : '1001');

describe('catalog conventions', () => {
  it('ships platforms', () => {
    expect(entries.map((entry) => entry.platform)).toEqual(expect.arrayContaining(['meta', 'tiktok']));
  });

  describe.each(entries.map((entry) => [entry.platform, entry] as const))('%s', (platform, entry) => {
    it('calls the real API by default and takes its base URL from the base_url param', () => {
      const [expression, ...others] = templateExpressions(entry.source.base_url);
      expect(others).toEqual([]);
      expect(expression?.variable).toBe('client.base_url');
      expect(expression?.filters.join('|')).toMatch(/^default:\s*https:\/\/[a-z0-9.-]+\.[a-z]{2,}(\/\S*)?$/);
    });

    it('reads no environment variable and its credentials only from secrets', () => {
      const text = readFileSync(entry.file, 'utf8');
      expect(text).not.toMatch(/\{\{\s*env\./);
      expect(entry.credentialKeys.length).toBeGreaterThan(0);
      expect(entry.source.description).toBeTruthy();
    });

    it('gives every stream a primary key', () => {
      const keyless = Object.entries(entry.source.streams).filter(([, stream]) => stream.primary_key.length === 0);
      expect(keyless.map(([name]) => name)).toEqual([]);
    });

    it('validates for a client that gives only the required params', () => {
      const dir = mkdtempSync(join(tmpdir(), `dif-catalog-${platform}-`));
      dirs.push(dir);
      for (const folder of ['sources', 'clients']) mkdirSync(join(dir, folder));
      symlinkSync(CATALOG_DIR, join(dir, 'catalog'));
      const params = entry.params
        .filter((param) => param.required)
        .map((param) => `${param.name}: "${sample(param.name)}"`);
      writeFileSync(
        join(dir, 'clients', 'acme.yml'),
        `client: acme\nsources:\n  ${platform}: { params: { ${params.join(', ')} } }\n`,
      );
      expect(planProblems(loadConfig(dir), new Date())).toEqual([]);
    });

    it('has a docs page naming its credential keys, an index row and a replay test', () => {
      const page = join(ROOT, 'docs', 'catalog', `${platform}.md`);
      expect(existsSync(page), page).toBe(true);
      const text = readFileSync(page, 'utf8');
      for (const key of entry.credentialKeys) expect(text, `${platform}.md names ${key}`).toContain(`\`${key}\``);
      expect(readFileSync(join(ROOT, 'docs', 'catalog', 'README.md'), 'utf8')).toContain(`| \`${platform}\` |`);
      expect(existsSync(join(ROOT, 'test', 'catalog', `${platform}.replay.test.ts`))).toBe(true);
    });
  });

  it('keeps the docs index sorted by platform, one row per catalog file', () => {
    const rows = readFileSync(join(ROOT, 'docs', 'catalog', 'README.md'), 'utf8')
      .split('\n')
      .map((line) => /^\| `([a-z0-9_]+)` \|/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(rows).toEqual([...rows].sort());
    const files = readdirSync(CATALOG_DIR)
      .filter((name) => name.endsWith('.yml'))
      .map((name) => name.replace(/\.yml$/, ''))
      .sort();
    expect(rows).toEqual(files);
  });
});
