import { planItems } from '../../support/planItems';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../../demo';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { extract } from '../../../services/extractor/handlers/extract';
import { rawManifest, rawReady } from '../../../shared/messages/rawReady';
import {
  configFrom,
  extractorContext,
  MemorySecrets,
  readObject,
  type ExtractorTestContext,
} from '../../support/extractorContext';

const SOURCE = `
name: t
base_url: "{{ env.DIF_DEMO_API_URL }}"
auth: { type: bearer, token: "{{ secrets.access_token }}" }
streams:
  by_url:
    request: { path: "/ads/v1/accounts/{{ client.account_id }}/campaigns-by-url" }
    records: $.results
    paginate: { type: next_url, next: $.next_page_url }
    columns: { id: varchar(32) }
    load: { table: a }
  by_link:
    request: { path: "/ads/v1/accounts/{{ client.account_id }}/campaigns-linked" }
    paginate: { type: link_header }
    columns: { id: varchar(32) }
    load: { table: b }
  by_page:
    request: { path: "/analytics/v1/properties/{{ client.account_id }}/campaign-stats", query: { page_size: 2 } }
    records: $.rows
    paginate: { type: page_number, param: page, total_pages: $.total_pages }
    columns: { id: varchar(32) }
    load: { table: c }
  by_page_records:
    request: { path: "/analytics/v1/properties/{{ client.account_id }}/campaign-stats" }
    records: $.rows
    paginate: { type: page_number, size_param: page_size, size: 2, total_records: $.total_rows }
    columns: { id: varchar(32) }
    load: { table: d }
  incremental_stats:
    request: { path: "/ads/v1/campaigns/{{ client.campaign_id }}/stats", query: { since: "{{ cursor }}", until: "2026-01-10", limit: 100 } }
    records: $.data
    incremental: { cursor_field: date, start: "2026-01-01" }
    columns: { date: date }
    load: { table: e }
`;

function sourceWith(name: string, auth: string, path: string): string {
  return `name: ${name}\nbase_url: "{{ env.DIF_DEMO_API_URL }}"\nauth: ${auth}\nstreams:\n  s:\n    request: { path: "${path}" }\n    records: $.data\n    columns: { id: varchar(32) }\n    load: { table: s }\n`;
}

describe('paging styles, auth kinds and incremental cursors against the demo API', () => {
  let api: DemoApi;
  let env: ExtractorTestContext;
  let runs = 0;

  beforeAll(async () => {
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
    clearOAuthTokenCache();
    const sources = {
      t: SOURCE,
      basic: sourceWith(
        'basic',
        '{ type: basic, username: "{{ secrets.username }}", password: "{{ secrets.password }}" }',
        '/basic/v1/accounts/1001/campaigns',
      ),
      cc: sourceWith(
        'cc',
        '{ type: oauth2_client_credentials, token_url: "{{ env.DIF_DEMO_API_URL }}/oauth/token", client_id: "{{ secrets.client_id }}", client_secret: "{{ secrets.client_secret }}", body: json }',
        '/oauth-api/v1/accounts/1001/campaigns',
      ),
      query_key: `name: query_key\nbase_url: "{{ env.DIF_DEMO_API_URL }}"\nauth: { type: api_key, in: query, name: api_key, value: "{{ secrets.api_key }}" }\nstreams:\n  s:\n    request: { path: "/reports/v1/advertisers/X/daily.csv", query: { start: "2026-01-01", end: "2026-01-02" } }\n    format: { type: csv }\n    columns: { date: date }\n    load: { table: s }\n`,
    };
    const clients = {
      c: `client: c\nsources:\n  t: { params: { account_id: "1003", campaign_id: "1001001" } }\n  basic: {}\n  cc: {}\n  query_key: {}\n`,
    };
    const secrets = new MemorySecrets({
      t: DEMO_CREDENTIALS.demo_ads!,
      basic: DEMO_CREDENTIALS.demo_basic!,
      cc: DEMO_CREDENTIALS.demo_oauth!,
      query_key: DEMO_CREDENTIALS.demo_reports!,
    });
    env = extractorContext(configFrom({ sources, clients }), { secrets });
  });
  afterAll(async () => {
    await env?.close();
    await api?.close();
  });

  async function records(source: string, stream: string, select: (body: unknown) => unknown[]) {
    const { items } = await planItems(env.ctx, { runId: `p${++runs}`, source, stream });
    const output = await extract(env.ctx, { item: items[0]!, taskToken: 'tok' });
    const manifest = rawManifest.parse(JSON.parse(await readObject(env.ctx, output.raw.manifestKey)));
    const rows: unknown[] = [];
    for (const entry of manifest.objects) rows.push(...select(JSON.parse(await readObject(env.ctx, entry.key))));
    return { rows, output, item: items[0]! };
  }

  const ids = (rows: unknown[]): string[] => rows.map((row) => (row as { id: string }).id);
  const expected = (): string[] => api.groundTruth.campaigns('1003').map((campaign) => campaign.id);

  it('follows next URLs from the body', async () => {
    const { rows } = await records('t', 'by_url', (body) => (body as { results: unknown[] }).results);
    expect(ids(rows)).toEqual(expected());
  });

  it('follows RFC 5988 Link headers', async () => {
    const { rows } = await records('t', 'by_link', (body) => body as unknown[]);
    expect(ids(rows)).toEqual(expected());
  });

  it('walks page numbers to the total pages or total records, through a short page mid-stream', async () => {
    expect(expected().length).toBeGreaterThan(4); // page 1 is cut short by the demo API
    for (const stream of ['by_page', 'by_page_records']) {
      const { rows } = await records('t', stream, (body) => (body as { rows: unknown[] }).rows);
      expect(ids(rows).length, stream).toBe(expected().length - 1);
      expect(new Set(ids(rows)).size).toBe(rows.length);
    }
  });

  it('authenticates with basic, OAuth client credentials (JSON body) and an API key in the query', async () => {
    expect(ids((await records('basic', 's', (body) => (body as { data: unknown[] }).data)).rows)).toHaveLength(
      api.groundTruth.campaigns('1001').length,
    );
    expect((await records('cc', 's', (body) => (body as { data: unknown[] }).data)).rows).toHaveLength(
      Math.min(25, api.groundTruth.campaigns('1001').length),
    );
    expect(api.state.tokenRequests).toContain('client_credentials');
    const { items } = await planItems(env.ctx, { runId: `p${++runs}`, source: 'query_key' });
    const output = await extract(env.ctx, { item: items[0]!, taskToken: 'tok' });
    expect(output.raw.objects).toBe(1);
    const call = api.requests.find((request) => request.path.includes('/reports/v1/advertisers/X/'))!;
    expect(call.query).toContain(`api_key=${DEMO_CREDENTIALS.demo_reports!.api_key}`);
  });

  it('starts from the stored cursor and reports the largest cursor value seen (never advancing it itself)', async () => {
    const first = await records('t', 'incremental_stats', (body) => (body as { data: unknown[] }).data);
    expect(first.rows).toHaveLength(10);
    const messages = await env.ctx.ports.queues.transform.receive({ maxMessages: 20 });
    const message = messages
      .map((received) => rawReady.parse(JSON.parse(received.body)))
      .find((body) => body.itemId === first.item.itemId && body.runId === first.item.runId)!;
    expect(message.cursor).toBe('2026-01-10');
    expect(
      await env.ctx.ports.runState.getCursor({
        client: 'c',
        source: 't',
        stream: 'incremental_stats',
        partition: 'all',
      }),
    ).toBeUndefined();
    await env.ctx.ports.runState.putCursor({
      client: 'c',
      source: 't',
      stream: 'incremental_stats',
      partition: 'all',
      value: '2026-01-07',
      runId: 'x',
    });
    const second = await records('t', 'incremental_stats', (body) => (body as { data: unknown[] }).data);
    expect(second.rows).toHaveLength(4);
    expect(api.requests.at(-1)!.query).toContain('since=2026-01-07');
  });
});
