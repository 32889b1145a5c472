/**
 * Issue 19: `catalog/` holds the shipped platform definitions beside `sources/`; a client names
 * a catalog source like any other, and one name defined twice is refused with both files named.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../shared/config';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const SOURCE = (name: string) => `name: ${name}
base_url: https://api.shop.example
streams:
  orders:
    request: { path: /orders }
    records: $.data
    columns: { id: bigint }
    load: { table: orders, mode: append }
`;

function configWith(files: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'dif-catalog-'));
  for (const folder of ['sources', 'clients', 'catalog']) mkdirSync(join(dir, folder));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return () => loadConfig(dir!);
}

describe('catalog folder', () => {
  it('loads catalog sources beside sources/ and lets a client name them', () => {
    const config = configWith({
      'catalog/shop.yml': SOURCE('shop'),
      'clients/acme.yml': 'client: acme\nwarehouse: { schema: acme }\nsources:\n  shop: {}\n',
    })();
    expect(config.sources.get('shop')?.streams.orders?.load.table).toBe('orders');
    expect(config.clients.get('acme')?.sources.shop).toBeDefined();
  });

  it('refuses one name defined in sources/ and catalog/, naming both files', () => {
    const load = configWith({ 'sources/shop.yml': SOURCE('shop'), 'catalog/shop.yml': SOURCE('shop') });
    expect(load).toThrow(ConfigError);
    expect(() => load()).toThrow(/catalog\/shop\.yml.*source "shop" is also defined in .*sources\/shop\.yml/s);
  });

  it('names the catalog folder when a catalog file is misnamed', () => {
    const load = configWith({ 'catalog/shops.yml': SOURCE('shop') });
    expect(load).toThrow(/must live in catalog\/shop\.yml/);
  });

  it('reads the shipped catalog for a config folder without one of its own, and only its own when it has one', () => {
    const shipped = mkdtempSync(join(tmpdir(), 'dif-shipped-'));
    try {
      mkdirSync(join(shipped, 'catalog'));
      writeFileSync(join(shipped, 'catalog', 'shipped.yml'), SOURCE('shipped'));
      const ownless = configWith({
        'clients/acme.yml': 'client: acme\nwarehouse: { schema: acme }\nsources:\n  shipped: {}\n',
      });
      rmSync(join(dir!, 'catalog'), { recursive: true });
      expect(loadConfig(dir!, { shippedCatalogParent: shipped }).sources.has('shipped')).toBe(true);
      expect(ownless).toThrow(/no source named "shipped"/);
      mkdirSync(join(dir!, 'catalog'));
      writeFileSync(join(dir!, 'catalog', 'own.yml'), SOURCE('own'));
      writeFileSync(
        join(dir!, 'clients', 'acme.yml'),
        'client: acme\nwarehouse: { schema: acme }\nsources:\n  own: {}\n',
      );
      expect([...loadConfig(dir!, { shippedCatalogParent: shipped }).sources.keys()]).toEqual(['own']);
    } finally {
      rmSync(shipped, { recursive: true, force: true });
    }
  });

  it('the project loads without a catalog folder in a config dir', () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-catalog-'));
    for (const folder of ['sources', 'clients']) mkdirSync(join(dir, folder));
    expect(loadConfig(dir).sources.size).toBe(0);
  });
});
