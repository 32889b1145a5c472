import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import {
  MICROSOFT_CLIENT_ID,
  MICROSOFT_CLIENT_SECRET,
  MICROSOFT_DEVELOPER_TOKEN,
  MICROSOFT_FIRST_REFRESH_TOKEN,
  startMicrosoftAdsApi,
  type MicrosoftAdsApi,
} from './fixtures/microsoftAdsApi';
import { MICROSOFT_ACCOUNTS, MICROSOFT_CUSTOMER_ID, microsoftReportRows } from './fixtures/microsoftAdsData';

const START = '2026-11-01';
const END = '2026-11-21';

/** Accounts the catalog reports on: all but deleted (Inactive) and Draft ones. */
const REPORTED = MICROSOFT_ACCOUNTS.filter(
  (account) => !['Draft', 'Inactive'].includes(account.AccountLifeCycleStatus),
);

/** What the warehouse must hold: the fixture's own rows, summed. */
function truth(restatedFrom?: string) {
  const rows = REPORTED.flatMap((account) => microsoftReportRows(account.Id, START, END, restatedFrom));
  const cents = (field: string) => rows.reduce((sum, row) => sum + Math.round(Number(row[field]) * 100), 0);
  return {
    rows: rows.length,
    impressions: rows.reduce((sum, row) => sum + Number(row.Impressions), 0),
    clicks: rows.reduce((sum, row) => sum + Number(row.Clicks), 0),
    spend: (cents('Spend') / 100).toFixed(2),
    conversions: (cents('Conversions') / 100).toFixed(2),
    all_revenue: (cents('AllRevenue') / 100).toFixed(2),
    view_through_nulls: rows.filter((row) => row.ViewThroughConversions === '--').length,
  };
}

describe('catalog microsoft_ads against a Microsoft Advertising REST replay, faults on', () => {
  let api: MicrosoftAdsApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startMicrosoftAdsApi({ faults: true });
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('microsoft_ads', {
        base_url: api.url,
        customer_management_url: api.url,
        token_url: `${api.url}/common/oauth2/v2.0/token`,
        customer_id: MICROSOFT_CUSTOMER_ID,
        start_date: START,
        end_date: END,
        attribution_window: 'P7D',
      }),
      credentials: {
        microsoft_ads: {
          client_id: MICROSOFT_CLIENT_ID,
          client_secret: MICROSOFT_CLIENT_SECRET,
          refresh_token: MICROSOFT_FIRST_REFRESH_TOKEN,
          developer_token: MICROSOFT_DEVELOPER_TOKEN,
        },
      },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const warehouse = () =>
    replay.one(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(clicks)::int as clicks,
              sum(spend)::numeric(18,2)::text as spend, sum(conversions)::numeric(18,2)::text as conversions,
              sum(all_revenue)::numeric(18,2)::text as all_revenue,
              count(*) filter (where view_through_conversions is null)::int as view_through_nulls
         from acme.microsoft_ads_campaign_performance_daily`,
    );

  it('loads the accounts and the daily campaign performance exactly, a second run changes nothing, a restatement replaces the rows it touches', async () => {
    const first = await replay.run();
    expect(first.result.status, JSON.stringify(first.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    const expected = truth();
    expect(expected.rows).toBeGreaterThan(50);
    expect(await warehouse()).toEqual(expected);

    // Every account is loaded; the deleted one was not reported on.
    expect(
      await replay.rows('select account_id::text as id, lifecycle_status from acme.microsoft_ads_accounts order by 1'),
    ).toEqual(
      MICROSOFT_ACCOUNTS.map((account) => ({ id: account.Id, lifecycle_status: account.AccountLifeCycleStatus })).sort(
        (a, b) => a.id.localeCompare(b.id),
      ),
    );
    const submitted = api.requests.filter((request) => request.path === '/Reporting/v13/GenerateReport/Submit');
    expect(new Set(submitted.map((request) => request.headers.customeraccountid))).toEqual(
      new Set(REPORTED.map((account) => account.Id)),
    );
    // Dates go as {Day, Month, Year} integers; the slice is three weeks in 7-day reports.
    const times = submitted
      .filter((request) => request.status === 200)
      .map((request) => (JSON.parse(request.body) as { ReportRequest: { Time: unknown } }).ReportRequest.Time);
    expect(times).toContainEqual({
      CustomDateRangeStart: { Day: 15, Month: 11, Year: 2026 },
      CustomDateRangeEnd: { Day: 21, Month: 11, Year: 2026 },
      ReportTimeZone: 'PacificTimeUSCanadaTijuana',
    });

    // A row as Microsoft wrote it: quoted CSV after a BOM, a name holding a comma and quotes.
    const [sample] = microsoftReportRows(REPORTED[0]!.Id, START, START);
    expect(
      await replay.one(
        `select date::text as date, campaign_name, campaign_type, spend::text as spend, conversions::text as conversions
           from acme.microsoft_ads_campaign_performance_daily
          where campaign_id = ${sample!.CampaignId} and date = '${START}'`,
      ),
    ).toEqual({
      date: START,
      campaign_name: sample!.CampaignName,
      campaign_type: sample!.CampaignType,
      spend: sample!.Spend,
      conversions: sample!.Conversions,
    });

    // Every fault fired and was survived the documented way.
    expect(api.unfiredFaults()).toEqual([]);
    const items = await replay.runtime.ctx.ports.runState.listItems(first.runId);
    expect(items.filter((item) => (item.resubmits ?? 0) > 0)).toHaveLength(1); // the report that ended in Error
    expect([...api.jobs.values()].filter((job) => job.status === 'Error')).toHaveLength(1);
    const answered = (path: string) =>
      api.requests.filter((request) => request.path.startsWith(path)).map((request) => request.status);
    expect(answered('/Reporting/v13/GenerateReport/Submit')).toContain(429);
    expect(answered('/Reporting/v13/GenerateReport/Poll')).toContain(500);
    expect(answered('/CustomerManagement/v13/AccountsInfo/Query')).toContain(500);
    expect(answered('/bingadsstorage/')).toContain(503);
    expect(answered('/common/oauth2/v2.0/token')).toContain(503);
    expect(api.requests.map((request) => request.status)).toContain(401); // the expired access token
    // The account without campaigns: reports succeeded without a download URL, nothing fetched.
    const empty = MICROSOFT_ACCOUNTS.find((account) => account.Name === 'Acme New Market')!;
    expect(items.filter((item) => item.partition.startsWith(`account_id=${empty.Id}/`)).length).toBe(3);
    expect(items.every((item) => item.stage === 'loaded')).toBe(true);

    // The identity platform's new refresh token is what the store holds now.
    const stored = await replay.runtime.credentials.get('acme', 'microsoft_ads');
    expect(stored.refresh_token).toBe(api.currentRefreshToken());
    expect(stored.refresh_token).not.toBe(MICROSOFT_FIRST_REFRESH_TOKEN);

    // The second run re-reads the client's 7-day window (one report per account) and changes nothing.
    const jobsBefore = api.jobs.size;
    const second = await replay.run();
    expect(api.jobs.size - jobsBefore).toBe(REPORTED.length);
    expect(second.result.status, JSON.stringify(second.result)).toBe('succeeded');
    expect(await warehouse()).toEqual(expected);
    expect(api.problems).toEqual([]);

    // Late conversions land on the last days: the next run's window replaces those rows in place.
    api.restateFrom('2026-11-19');
    const third = await replay.run();
    expect(third.result.status, JSON.stringify(third.result)).toBe('succeeded');
    const restated = truth('2026-11-19');
    expect(restated.conversions).not.toBe(expected.conversions);
    expect(await warehouse()).toEqual(restated);
  }, 120_000);
});
