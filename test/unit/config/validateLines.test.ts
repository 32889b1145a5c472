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
      'sources/shop.yml:3: headers.X-Shop: template "{{ secret.shop_key }}": unknown variable "secret.shop_key"; use client.*, secrets.*, partition.*, slice.*, parent.*, job.*, cursor, page.*, run.id, env.DIF_*, today or yesterday',
      'sources/shop.yml:9: streams.orders.request.query.store: template "{{ client.store | upcase }}": unknown filter "upcase" (known: upper, lower, urlencode, json, default, date, midnight, xml, number)',
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

  it('accepts date arithmetic and reports malformed arithmetic at its line (issue 16 §10)', () => {
    const problems = problemsOf({
      'sources/shop.yml': SOURCE(
        [
          '      query:',
          '        since: "{{ today - P28D }}"',
          '        until: "{{ yesterday + P1W | date:yyyyMMdd }}"',
          '        a: "{{ today - 28D }}"',
          '        b: "{{ today-P28D }}"',
          '        c: "{{ today - PT1H }}"',
          '        d: "{{ today * P1D }}"',
          '        e: "{{ today.date }}"',
          '',
        ].join('\n'),
      ),
      'clients/acme.yml': CLIENT,
    });
    const help = '{{ today - P28D }}, {{ slice.end + P1D }} (days D, weeks W, months M, years Y)';
    expect(problems).toEqual([
      `sources/shop.yml:10: streams.orders.request.query.a: template "{{ today - 28D }}": date arithmetic "- 28D" is not a sign and an ISO duration of days, weeks, months or years; write ${help}`,
      `sources/shop.yml:11: streams.orders.request.query.b: template "{{ today-P28D }}": "today-P28D" is not a variable name; write date arithmetic with spaces: ${help}`,
      `sources/shop.yml:12: streams.orders.request.query.c: template "{{ today - PT1H }}": date arithmetic "- PT1H" is not a sign and an ISO duration of days, weeks, months or years; write ${help}`,
      'sources/shop.yml:13: streams.orders.request.query.d: template "{{ today * P1D }}": "today * P1D" is not a variable name',
      'sources/shop.yml:14: streams.orders.request.query.e: template "{{ today.date }}": unknown variable "today.date"; today is a date (YYYY-MM-DD), e.g. {{ today - P7D }}',
    ]);
  });

  it('checks partition discovery: the stream it names, fields, and keys that need from_stream (issue 16 §9)', () => {
    const source = (partition: string) =>
      SOURCE('', '').replace('    records: $.data\n', `    records: $.data\n    partition: ${partition}\n`) +
      '  accounts:\n    request: { path: /accounts }\n    partition: { list: { region: [eu] } }\n    columns: { id: bigint }\n    load: { table: accounts }\n';
    expect(
      problemsOf({
        'sources/shop.yml': source('{ from_stream: acounts, fields: { store: id } }'),
        'clients/acme.yml': CLIENT,
      }),
    ).toEqual([
      'sources/shop.yml:8: streams.orders.partition.from_stream: no stream "acounts" in this source (it has: orders, accounts)',
    ]);
    expect(
      problemsOf({
        'sources/shop.yml': source('{ from_stream: accounts, fields: { store: id } }'),
        'clients/acme.yml': CLIENT,
      }),
    ).toEqual([
      'sources/shop.yml:8: streams.orders.partition.from_stream: "accounts" is partitioned itself; Plan requests a discovery stream once per client, so it must have no partition',
    ]);
    expect(problemsOf({ 'sources/shop.yml': source('{ from_stream: accounts }'), 'clients/acme.yml': CLIENT })[0]).toBe(
      'sources/shop.yml:8: streams.orders.partition.fields: from_stream needs `fields`: the partition values to read from each discovered record, e.g. { account_id: id }',
    );
    expect(
      problemsOf({
        'sources/shop.yml': source('{ list: { a: [1] }, include: { status: [ACTIVE] } }'),
        'clients/acme.yml': CLIENT,
      })[0],
    ).toBe(
      'sources/shop.yml:8: streams.orders.partition.include: `include` applies to discovered partitions only; add from_stream (the stream that lists them)',
    );
  });

  it('accepts the project configuration', () => {
    expect(() => loadConfig(process.cwd())).not.toThrow();
  });
});
