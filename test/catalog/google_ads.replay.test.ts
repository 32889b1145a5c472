import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from './support/fixtureData';
import { openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import {
  API_VERSION,
  actionDays,
  campaignDays,
  DEVELOPER_TOKEN,
  HIERARCHY,
  LOGIN_CUSTOMER_ID,
  OAUTH_CLIENT,
  startGoogleAdsApi,
  type ActionDay,
  type GoogleAdsApi,
} from './fixtures/googleAdsApi';

const START = '2026-02-01';
const END = '2026-02-14';
/** What discovery must plan: ENABLED, non-manager accounts at any depth of the hierarchy. */
const PLANNED = ['1000000001', '1000000002', '1000000005'];

/** Ground truth from the fixture's own data: rows and metric sums over the planned accounts. */
function expectedTotals() {
  const rows = PLANNED.flatMap((id) =>
    daysBetween(START, END).flatMap((date) =>
      campaignDays(
        HIERARCHY.find((c) => c.id === id)!,
        date,
      ),
    ),
  );
  const sum = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    rows: rows.length,
    impressions: sum((row) => row.impressions),
    clicks: sum((row) => row.clicks),
    cost_micros: sum((row) => row.costMicros),
    // conversions are halves and values multiples of 12.25: exact in binary, so the float sum is exact.
    conversions: sum((row) => row.conversions),
    conversions_value: sum((row) => row.conversionsValue),
  };
}

const TOTALS_SQL = `select count(*)::int as rows, sum(impressions)::bigint as impressions, sum(clicks)::bigint as clicks,
  sum(cost_micros)::bigint as cost_micros, sum(conversions)::text as conversions, sum(conversions_value)::text as conversions_value
  from acme.google_ads_campaign_daily`;

/** Issue 19: catalog/google_ads.yml against a Google Ads API shaped on its REST reference, with faults. */
describe('catalog google_ads replay', () => {
  let api: GoogleAdsApi;
  let replay: CatalogReplay;
  let firstStatus: string;

  beforeAll(async () => {
    api = await startGoogleAdsApi();
    api.faults.push(
      { path: /^\/token$/, kind: 'status', status: 503, grpcStatus: 'UNAVAILABLE' },
      {
        path: new RegExp(`/customers/${LOGIN_CUSTOMER_ID}/googleAds`),
        kind: 'status',
        status: 429,
        grpcStatus: 'RESOURCE_EXHAUSTED',
      },
      { path: /\/customers\/1000000001\/googleAds/, kind: 'status', status: 429, grpcStatus: 'RESOURCE_EXHAUSTED' },
      { path: /\/customers\/1000000002\/googleAds/, kind: 'mid_stream', status: 500, grpcStatus: 'INTERNAL' },
      { path: /\/customers\/1000000002\/googleAds/, kind: 'status', status: 503, grpcStatus: 'UNAVAILABLE' },
    );
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: `client: acme
warehouse: { schema: acme }
sources:
  google_ads:
    params:
      base_url: "${api.url}/${API_VERSION}"
      token_url: "${api.url}/token"
      login_customer_id: "${LOGIN_CUSTOMER_ID}"
      start_date: "${START}"
      end_date: "${END}"
`,
      credentials: {
        google_ads: {
          client_id: OAUTH_CLIENT.clientId,
          client_secret: OAUTH_CLIENT.clientSecret,
          refresh_token: OAUTH_CLIENT.refreshToken,
          developer_token: DEVELOPER_TOKEN,
        },
      },
    });
    firstStatus = (await replay.run()).result.status;
  }, 180_000);

  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  it('recovers from every fault (token 503, 429 RESOURCE_EXHAUSTED, an error inside a 200 stream, 503)', () => {
    expect(firstStatus).toBe('succeeded');
    expect(api.faults).toEqual([]);
    const statuses = api.requests.map((request) => request.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
    // The stream that failed after its first batch (HTTP 200) was retried whole, not loaded short.
    const broken = api.requests.findIndex((request) => request.fault === 'mid_stream');
    expect(api.requests[broken]!.status).toBe(200);
    const retried = api.requests.slice(broken + 1).find((request) => request.body === api.requests[broken]!.body);
    expect(retried).toBeDefined();
    expect(statuses.filter((status) => status === 401 || status === 403 || status === 400)).toEqual([]);
  });

  it('loads the hierarchy from customer_client and plans only its enabled non-manager accounts', async () => {
    const customers = await replay.rows(
      'select customer_id, manager, status, level, login_customer_id from acme.google_ads_customers order by customer_id',
    );
    expect(customers).toEqual(
      HIERARCHY.map((c) => ({
        customer_id: c.id,
        manager: c.manager,
        status: c.status,
        level: c.level,
        login_customer_id: LOGIN_CUSTOMER_ID,
      })),
    );
    const reportCalls = api.requests.filter(
      (request) =>
        request.status === 200 && request.path.endsWith(':searchStream') && request.body.includes('FROM campaign'),
    );
    const asked = new Set(reportCalls.map((request) => /customers\/(\d+)\//.exec(request.path)![1]));
    expect([...asked].sort()).toEqual(PLANNED);
  });

  it('sends GAQL with the slice dates, the developer token, login-customer-id and a bearer token on every call', () => {
    const calls = api.requests.filter((request) => request.path.endsWith(':searchStream'));
    for (const call of calls) {
      expect(call.method).toBe('POST');
      expect(call.headers['developer-token']).toBe(DEVELOPER_TOKEN);
      expect(call.headers['login-customer-id']).toBe(LOGIN_CUSTOMER_ID);
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers.authorization).toMatch(/^Bearer ya29\./);
    }
    const ranges = new Set(
      calls
        .filter((call) => call.body.includes('FROM campaign'))
        .map((call) =>
          /BETWEEN '([\d-]+)' AND '([\d-]+)'/
            .exec(JSON.parse(call.body).query as string)!
            .slice(1)
            .join('..'),
        ),
    );
    expect([...ranges].sort()).toEqual(['2026-02-01..2026-02-07', '2026-02-08..2026-02-14']);
    const grants = api.token.requests.map((request) => request.grantType);
    expect(grants.every((grant) => grant === 'refresh_token')).toBe(true);
  });

  it('loads exactly the fixture rows: counts and metric sums, cost kept in micros', async () => {
    const expected = expectedTotals();
    const totals = await replay.one(TOTALS_SQL);
    expect(totals).toEqual({
      rows: expected.rows,
      impressions: expected.impressions,
      clicks: expected.clicks,
      cost_micros: expected.cost_micros,
      conversions: expected.conversions.toFixed(6),
      conversions_value: expected.conversions_value.toFixed(6),
    });
    const sample = await replay.one(
      `select customer_id, campaign_id, date::text as date, campaign_status, channel_type, currency_code, cost_micros::text as cost_micros
       from acme.google_ads_campaign_daily where customer_id = '1000000002' and campaign_id = '200002' and date = '2026-02-01'`,
    );
    const truth = campaignDays(HIERARCHY[2]!, '2026-02-01').find((row) => row.campaignId === '200002')!;
    expect(sample).toEqual({
      customer_id: '1000000002',
      campaign_id: '200002',
      date: '2026-02-01',
      campaign_status: 'ENABLED',
      channel_type: 'DISPLAY',
      currency_code: 'EUR',
      cost_micros: String(truth.costMicros),
    });
  });

  it('splits each campaign-day by conversion action; primary actions add up to the campaign conversions', async () => {
    const actions = PLANNED.flatMap((id) =>
      daysBetween(START, END).flatMap((date) =>
        campaignDays(
          HIERARCHY.find((c) => c.id === id)!,
          date,
        ).flatMap(actionDays),
      ),
    );
    const sum = (pick: (action: ActionDay) => number) => actions.reduce((total, action) => total + pick(action), 0);
    expect(
      await replay.one(
        `select count(*)::int as rows, sum(conversions)::text as conversions, sum(conversions_value)::text as conversions_value,
         sum(all_conversions)::text as all_conversions from acme.google_ads_conversions_daily`,
      ),
    ).toEqual({
      rows: actions.length,
      conversions: sum((action) => action.conversions).toFixed(6),
      conversions_value: sum((action) => action.conversionsValue).toFixed(6),
      all_conversions: sum((action) => action.allConversions).toFixed(6),
    });
    expect(sum((action) => action.conversions)).toBe(expectedTotals().conversions);
    const mismatched = await replay.rows(
      `select d.customer_id, d.campaign_id, d.date from acme.google_ads_campaign_daily d
       left join (select customer_id, campaign_id, date, sum(conversions) as conversions
                  from acme.google_ads_conversions_daily group by 1, 2, 3) a using (customer_id, campaign_id, date)
       where coalesce(a.conversions, 0) <> d.conversions`,
    );
    expect(mismatched).toEqual([]);
    expect(
      await replay.one(
        `select conversion_action, conversion_action_name from acme.google_ads_conversions_daily
         where conversion_action_name = 'Lead' limit 1`,
      ),
    ).toEqual({
      conversion_action: expect.stringMatching(/^customers\/\d+\/conversionActions\/7002$/),
      conversion_action_name: 'Lead',
    });
  });

  it('changes nothing when run again', async () => {
    const before = await replay.rows(
      'select * from acme.google_ads_campaign_daily order by customer_id, campaign_id, date',
    );
    const second = await replay.run();
    expect(second.result.status).toBe('succeeded');
    const after = await replay.rows(
      'select * from acme.google_ads_campaign_daily order by customer_id, campaign_id, date',
    );
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ _extracted_at: _ignored, ...row }) => row);
    expect(strip(after)).toEqual(strip(before));
    expect((await replay.one(TOTALS_SQL)).rows).toBe(expectedTotals().rows);
  }, 120_000);
});

/** What a user sees when the Google Ads login is wrong: Google's own words and what to fix. */
describe('catalog google_ads replay: refused logins', () => {
  let api: GoogleAdsApi;
  beforeAll(async () => {
    api = await startGoogleAdsApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Runs a client whose login is wrong; resolves with every error the run and its items recorded. */
  async function failedRun(loginCustomerId: string, refreshToken: string): Promise<string> {
    const replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: `client: acme
warehouse: { schema: acme }
sources:
  google_ads:
    params: { base_url: "${api.url}/${API_VERSION}", token_url: "${api.url}/token", login_customer_id: "${loginCustomerId}", start_date: "${START}", end_date: "${START}" }
`,
      credentials: {
        google_ads: {
          client_id: OAUTH_CLIENT.clientId,
          client_secret: OAUTH_CLIENT.clientSecret,
          refresh_token: refreshToken,
          developer_token: DEVELOPER_TOKEN,
        },
      },
    });
    try {
      const outcome = await replay.run();
      expect(outcome.result.status).toBe('failed');
      const items = await replay.runtime.ctx.ports.runState.listItems(outcome.runId);
      const result = outcome.result as { error?: string; cause?: string };
      return [result.error, result.cause, ...items.map((item) => item.error)].filter(Boolean).join('\n');
    } finally {
      await replay.close();
    }
  }

  it('a revoked refresh token fails Plan saying invalid_grant and to store the credentials again', async () => {
    const message = await failedRun(LOGIN_CUSTOMER_ID, '1//revoked');
    expect(message).toMatch(/discovering the partitions of acme\/google_ads\/campaign_daily failed/);
    expect(message).toMatch(/invalid_grant Token has been expired or revoked/);
    expect(message).toMatch(/Check the credentials stored for this client and source/);
    expect(message).not.toContain('1//revoked');
  }, 120_000);

  it('a login customer that is not a manager of the account quotes Google 403 USER_PERMISSION_DENIED', async () => {
    const message = await failedRun('1000000009', OAUTH_CLIENT.refreshToken);
    expect(message).toMatch(/HTTP 403 from .*\/customers\/1000000009\/googleAds:searchStream: .*PERMISSION_DENIED/);
    expect(message).toMatch(/USER_PERMISSION_DENIED/);
  }, 120_000);
});
