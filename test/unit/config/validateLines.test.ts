/**
 * Issue 14 §5 (last bullet): `dif validate` reports unknown template variables and filters, and
 * every problem points at the line that holds it — an unknown key at its own line, not at the
 * first line of its block; a rule spanning fields at the field it names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, formatProblem, loadConfig } from '../../../shared/config';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The problems `dif validate` lists for these files, as it prints them but with names relative to the folder. */
function problemsOf(files: Record<string, string>): string[] {
  dir = mkdtempSync(join(tmpdir(), 'dif-lines-'));
  mkdirSync(join(dir, 'sources'));
  mkdirSync(join(dir, 'clients'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  try {
    loadConfig(dir);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => formatProblem(problem).split(`${dir!}/`).join(''));
  }
}

const SOURCE = (stream: string, top = '') => `name: shop
base_url: https://api.shop.example
${top}streams:
  orders:
    request:
      path: /orders
${stream}    records: $.data
    columns: { id: bigint }
    primary_key: [id]
    load: { table: orders, mode: merge }
`;
const CLIENT = 'client: acme\nsources:\n  shop:\n    params: { store: "12" }\n';

describe('dif validate: lines and templates', () => {
  it('points an unknown key at its own line, not at the first line of its block', () => {
    const problems = problemsOf({
      'sources/shop.yml': SOURCE('      method: GET\n      querry: { a: 1 }\n'),
      'clients/acme.yml': CLIENT,
    });
    expect(problems).toEqual([
      'sources/shop.yml:8: streams.orders.request: unknown key "querry": check the spelling (`dif schema` prints every allowed key)',
      // The source did not load, so the client's reference to it fails too.
      'clients/acme.yml:3: sources.shop: no source named "shop" (known: none); add sources/shop.yml or fix the name',
    ]);
  });

  it('points a rule that spans fields at the field it names', () => {
    const problems = problemsOf({
      'sources/shop.yml': SOURCE('').replace('primary_key: [id]', 'primary_key: [idd]'),
      'clients/acme.yml': 'client: acme\nsources:\n  shop:\n    streams: [orders, refunds]\n',
    });
    expect(problems).toEqual([
      'sources/shop.yml:9: streams.orders.primary_key: "idd" is not a declared column (declared: id)',
      'clients/acme.yml:4: sources.shop.streams: source "shop" has no stream "refunds" (it has: orders)',
    ]);
  });

  it('reports an unknown template variable, an unknown filter and a bad expression at their lines', () => {
    const problems = problemsOf({
      'sources/shop.yml': SOURCE(
        '      query:\n        store: "{{ client.store | upcase }}"\n        page: "{{ page.cursor }}"\n        bad: "{{ 1 + 2 }}"\n',
        'headers: { X-Shop: "{{ secret.shop_key }}" }\n',
      ),
      'clients/acme.yml': CLIENT,
    });
    expect(problems).toEqual([
      'sources/shop.yml:3: headers.X-Shop: template "{{ secret.shop_key }}": unknown variable "secret.shop_key"; use client.*, secrets.*, partition.*, slice.*, parent.*, job.*, cursor, page.*, run.id or env.DIF_*',
      'sources/shop.yml:9: streams.orders.request.query.store: template "{{ client.store | upcase }}": unknown filter "upcase" (known: upper, lower, urlencode, json, default, date, xml)',
      'sources/shop.yml:10: streams.orders.request.query.page: template "{{ page.cursor }}": paginate type none provides no page.* values (cursor paging gives page.cursor, offset page.offset, page_number page.number)',
      'sources/shop.yml:11: streams.orders.request.query.bad: template "{{ 1 + 2 }}": "1 + 2" is not a variable name',
    ]);
  });

  it('reports variables the stream cannot have: parent without parent, slice without date_range, cursor without incremental, job outside async_job', () => {
    const problems = problemsOf({
      'sources/shop.yml': SOURCE(
        '      query:\n        a: "{{ parent.id }}"\n        b: "{{ slice.start }}"\n        c: "{{ cursor }}"\n        d: "{{ job.id }}"\n',
      ),
      'clients/acme.yml': CLIENT,
    });
    expect(problems).toEqual([
      'sources/shop.yml:8: streams.orders.request.query.a: template "{{ parent.id }}": parent.* exists only in a dependent stream (one with `parent`)',
      'sources/shop.yml:9: streams.orders.request.query.b: template "{{ slice.start }}": slice.* exists only in a stream with partition.date_range',
      'sources/shop.yml:10: streams.orders.request.query.c: template "{{ cursor }}": cursor exists only in a stream with `incremental`',
      'sources/shop.yml:11: streams.orders.request.query.d: template "{{ job.id }}": job.* exists only inside async_job',
    ]);
  });

  it('reports a client param a source template reads but the client does not give, at the client line', () => {
    const problems = problemsOf({
      'sources/shop.yml': SOURCE(
        '      query: { store: "{{ client.store }}", region: "{{ client.region | default:eu }}" }\n',
      ),
      'clients/acme.yml': 'client: acme\nsources:\n  shop:\n    params: { stor: "12" }\n',
    });
    expect(problems).toEqual([
      'clients/acme.yml:4: sources.shop.params: source "shop" reads {{ client.store }} (sources/shop.yml:7) but this client gives no param "store" (it gives: stor); add it, or give the template a | default:… filter',
    ]);
  });

  it('accepts the project configuration', () => {
    expect(() => loadConfig(process.cwd())).not.toThrow();
  });
});
