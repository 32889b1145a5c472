import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from './support/fixtureData';
import { openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import {
  CLIENT_EMAIL,
  eventRows,
  PROPERTIES,
  SCOPE,
  startGa4Api,
  trafficRows,
  type Ga4Api,
  type ReportRow,
} from './fixtures/ga4Api';

const START = '2026-02-01';
const END = '2026-02-14';
const PAGE_SIZE = 7;

/** Ground truth: the fixture's rows over every property and day, summed per metric. */
function truth(make: (property: string, date: string) => ReportRow[]) {
  const rows = PROPERTIES.flatMap((property) => daysBetween(START, END).flatMap((date) => make(property, date)));
  const sums = rows[0]!.metrics.map((_, i) => rows.reduce((total, row) => total + row.metrics[i]!, 0));
  return { rows: rows.length, sums };
}

const TRAFFIC_SQL = `select count(*)::int as rows, sum(sessions)::bigint as sessions, sum(total_users)::bigint as total_users,
  sum(new_users)::bigint as new_users, sum(engaged_sessions)::bigint as engaged_sessions,
  sum(screen_page_views)::bigint as screen_page_views, sum(key_events)::text as key_events, sum(total_revenue)::text as total_revenue
  from acme.ga4_traffic_daily`;
const EVENTS_SQL = `select count(*)::int as rows, sum(event_count)::bigint as event_count, sum(total_users)::bigint as total_users,
  sum(event_value)::text as event_value from acme.ga4_events_daily`;

/** Issue 19: catalog/ga4.yml against a GA4 Data API shaped on its reference, service-account auth, faults on. */
describe('catalog ga4 replay', () => {
  let api: Ga4Api;
  let replay: CatalogReplay;
  let firstStatus: string;

  beforeAll(async () => {
    api = await startGa4Api();
    const exhausted = 'Exhausted property tokens per hour for a project per property. Refresh in 12 minutes.';
    api.faults.push(
      { path: /^\/token$/, status: 500, grpcStatus: 'INTERNAL', message: '' },
      {
        path: new RegExp(`${PROPERTIES[0]}:runReport`),
        offset: 0,
        status: 429,
        grpcStatus: 'RESOURCE_EXHAUSTED',
        message: exhausted,
      },
      {
        path: new RegExp(`${PROPERTIES[1]}:runReport`),
        offset: PAGE_SIZE,
        status: 503,
        grpcStatus: 'UNAVAILABLE',
        message: 'The service is currently unavailable.',
      },
      {
        path: /:runReport/,
        offset: 2 * PAGE_SIZE,
        status: 500,
        grpcStatus: 'INTERNAL',
        message: 'Internal error encountered.',
      },
    );
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: `client: acme
warehouse: { schema: acme }
sources:
  ga4:
    params:
      base_url: "${api.url}/v1beta"
      property_ids: "${PROPERTIES.join(',')}"
      start_date: "${START}"
      end_date: "${END}"
      page_size: "${PAGE_SIZE}"
      token_url: "${api.url}/token"
`,
      credentials: {
        // A service account's JSON key file, as `dif credentials put --file key.json` stores it.
        ga4: {
          type: 'service_account',
          project_id: 'acme-analytics',
          private_key_id: 'key-1',
          private_key: api.privateKeyPem,
          client_email: CLIENT_EMAIL,
          client_id: '109876543210987654321',
          auth_uri: 'https://accounts.google.com/o/oauth2/auth',
          token_uri: 'https://oauth2.googleapis.com/token',
          universe_domain: 'googleapis.com',
        },
      },
    });
    firstStatus = (await replay.run()).result.status;
  }, 180_000);

  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  it('recovers from every fault: token 500, 429 RESOURCE_EXHAUSTED, 503 and 500 on later pages', () => {
    expect(firstStatus).toBe('succeeded');
    expect(api.faults).toEqual([]);
    expect(api.requests.filter((request) => request.fault !== undefined)).toHaveLength(4);
    expect(api.requests.filter((request) => [400, 401, 403].includes(request.status))).toEqual([]);
  });

  it('gets one token for the whole run from a JWT signed by the service account', () => {
    const grants = api.token.requests.filter((request) => request.grantType === 'jwt-bearer');
    expect(grants).toHaveLength(1);
    expect(grants[0]!.claims).toMatchObject({ iss: CLIENT_EMAIL, scope: SCOPE, aud: `${api.url}/token` });
    expect(grants[0]!.header).toMatchObject({ alg: 'RS256', kid: 'key-1' });
    expect(api.token.issued.size).toBe(1);
  });

  it('pages each report by offset/limit in the body up to rowCount, with the slice dates', () => {
    const pages = api.requests.filter((request) => request.path.endsWith(':runReport') && request.status === 200);
    const walks = new Map<string, number[]>();
    for (const page of pages) {
      const body = page.body as {
        dateRanges: { startDate: string; endDate: string }[];
        dimensions: { name: string }[];
        offset: string;
        limit: string;
      };
      expect(body.limit).toBe(String(PAGE_SIZE));
      expect(page.headers.authorization).toMatch(/^Bearer ya29\./);
      const key = `${page.path} ${body.dimensions[1]!.name} ${body.dateRanges[0]!.startDate}..${body.dateRanges[0]!.endDate}`;
      walks.set(key, [...(walks.get(key) ?? []), Number(body.offset)]);
    }
    // 2 properties × 2 reports × 2 weeks, each walked from 0 in steps of the page size, once.
    expect(walks.size).toBe(8);
    for (const [key, offsets] of walks) {
      const [, dimension, range] = key.split(' ') as [string, string, string];
      const [start, end] = range.split('..') as [string, string];
      const property = /properties\/(\d+)/.exec(key)![1]!;
      const make = dimension === 'eventName' ? eventRows : trafficRows;
      const rowCount = daysBetween(start, end).flatMap((date) => make(property, date)).length;
      const expected = Array.from({ length: Math.ceil(rowCount / PAGE_SIZE) }, (_, i) => i * PAGE_SIZE);
      expect(
        [...new Set(offsets)].sort((a, b) => a - b),
        key,
      ).toEqual(expected);
    }
    expect([...walks.keys()].map((key) => key.split(' ')[2]).sort()).toContain('2026-02-08..2026-02-14');
  });

  it('loads exactly the fixture rows: counts and metric sums per table', async () => {
    const traffic = truth(trafficRows);
    expect(await replay.one(TRAFFIC_SQL)).toEqual({
      rows: traffic.rows,
      sessions: traffic.sums[0],
      total_users: traffic.sums[1],
      new_users: traffic.sums[2],
      engaged_sessions: traffic.sums[3],
      screen_page_views: traffic.sums[4],
      key_events: traffic.sums[5]!.toFixed(6),
      total_revenue: traffic.sums[6]!.toFixed(6),
    });
    const events = truth(eventRows);
    expect(await replay.one(EVENTS_SQL)).toEqual({
      rows: events.rows,
      event_count: events.sums[0],
      total_users: events.sums[1],
      event_value: events.sums[2]!.toFixed(6),
    });
    const [first] = trafficRows(PROPERTIES[1]!, '2026-02-09');
    expect(
      await replay.one(
        `select property_id, date::text as date, session_source, session_medium, session_campaign_name, sessions
         from acme.ga4_traffic_daily where property_id = '${PROPERTIES[1]}' and date = '2026-02-09'
         and session_source = '${first!.dimensions[1]}' and session_medium = '${first!.dimensions[2]}'`,
      ),
    ).toEqual({
      property_id: PROPERTIES[1],
      date: '2026-02-09',
      session_source: first!.dimensions[1],
      session_medium: first!.dimensions[2],
      session_campaign_name: first!.dimensions[3],
      sessions: first!.metrics[0],
    });
  });

  it('changes nothing when run again', async () => {
    const snapshot = async () =>
      (
        await replay.rows(
          'select * from acme.ga4_traffic_daily order by property_id, date, session_source, session_medium, session_campaign_name',
        )
      ).map(({ _extracted_at: _ignored, ...row }) => row);
    const before = await snapshot();
    expect((await replay.run()).result.status).toBe('succeeded');
    expect(await snapshot()).toEqual(before);
    expect((await replay.one(EVENTS_SQL)).rows).toBe(truth(eventRows).rows);
  }, 120_000);
});

/** A property the service account was never given: that property's items fail, the others load. */
describe('catalog ga4 replay: a property without access', () => {
  let api: Ga4Api;
  beforeAll(async () => {
    api = await startGa4Api();
  });
  afterAll(async () => {
    await api?.close();
  });

  it("fails that property's items with Google's 403 and still loads the properties it can read", async () => {
    const replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: `client: acme
warehouse: { schema: acme }
sources:
  ga4:
    params: { base_url: "${api.url}/v1beta", token_url: "${api.url}/token", property_ids: "${PROPERTIES[0]},111111111", start_date: "${START}", end_date: "${START}" }
    streams: [events_daily]
`,
      credentials: {
        ga4: { client_email: CLIENT_EMAIL, private_key: api.privateKeyPem },
      },
    });
    try {
      const outcome = await replay.run();
      expect(outcome.result.status).toBe('failed');
      const items = await replay.runtime.ctx.ports.runState.listItems(outcome.runId);
      const failed = items.filter((item) => item.stage === 'failed');
      expect(failed.map((item) => item.partition)).toEqual(['property_id=111111111/slice=2026-02-01..2026-02-01']);
      expect(failed[0]!.error).toMatch(
        /HTTP 403 from .*\/properties\/111111111:runReport: .*User does not have sufficient permissions for this property/,
      );
      expect((await replay.one('select count(*)::int as n from acme.ga4_events_daily')).n).toBe(
        eventRows(PROPERTIES[0]!, START).length,
      );
    } finally {
      await replay.close();
    }
  }, 120_000);
});
