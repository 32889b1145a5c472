import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import { utcDaysAgo } from './support/utcDaysAgo';
import {
  AMAZON_CLIENT_ID,
  AMAZON_CLIENT_SECRET,
  AMAZON_FIRST_REFRESH_TOKEN,
  startAmazonAdsApi,
  type AmazonAdsApi,
} from './fixtures/amazonAdsApi';
import { AMAZON_PROFILES, amazonReportRows, type AmazonReportType } from './fixtures/amazonAdsData';

/** Two weeks ending three days ago: inside every report type's retention (Amazon refuses older starts). */
const START = utcDaysAgo(16);
const END = utcDaysAgo(3);

/** The profiles the catalog should report on: every one but the agency profile. */
const ADVERTISERS = AMAZON_PROFILES.filter((profile) => profile.accountInfo.type !== 'agency');

/** What the warehouse must hold for one report type: the fixture's own rows, summed. */
function truth(type: AmazonReportType, restatedFrom?: string) {
  const rows = ADVERTISERS.flatMap((profile) => amazonReportRows(profile.profileId, type, START, END, restatedFrom));
  const sumCents = (field: string) => rows.reduce((sum, row) => sum + Math.round(Number(row[field]) * 100), 0);
  const sum = (field: string) => rows.reduce((total, row) => total + Number(row[field]), 0);
  return {
    rows: rows.length,
    impressions: sum('impressions'),
    clicks: sum('clicks'),
    cost: (sumCents('cost') / 100).toFixed(2),
    sales: (sumCents(type === 'spCampaigns' ? 'sales7d' : 'sales') / 100).toFixed(2),
    purchases: sum(type === 'spCampaigns' ? 'purchases7d' : 'purchases'),
  };
}

describe('catalog amazon_ads against an Amazon Ads API replay, faults on', () => {
  let api: AmazonAdsApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startAmazonAdsApi({ faults: true });
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('amazon_ads', {
        base_url: api.url,
        token_url: `${api.url}/auth/o2/token`,
        start_date: START,
        end_date: END,
        attribution_window: 'P7D',
      }),
      credentials: {
        amazon_ads: {
          client_id: AMAZON_CLIENT_ID,
          client_secret: AMAZON_CLIENT_SECRET,
          refresh_token: AMAZON_FIRST_REFRESH_TOKEN,
        },
      },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const warehouse = async () => {
    const tables: Record<string, unknown> = {};
    for (const [type, table, suffix] of [
      ['spCampaigns', 'amazon_ads_sp_campaigns_daily', '_7d'],
      ['sbCampaigns', 'amazon_ads_sb_campaigns_daily', ''],
      ['sdCampaigns', 'amazon_ads_sd_campaigns_daily', ''],
    ] as const)
      tables[type] = await replay.one(
        `select count(*)::int as rows, coalesce(sum(impressions), 0)::int as impressions,
                coalesce(sum(clicks), 0)::int as clicks, coalesce(sum(cost), 0)::numeric(18,2)::text as cost,
                coalesce(sum(sales${suffix}), 0)::numeric(18,2)::text as sales,
                coalesce(sum(purchases${suffix}), 0)::int as purchases
           from acme.${table}`,
      );
    return tables;
  };

  it('loads the profiles and every daily campaign report exactly, a second run changes nothing, a restatement replaces the rows it touches', async () => {
    const first = await replay.run();
    expect(first.result.status, JSON.stringify(first.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);

    const expected = {
      spCampaigns: truth('spCampaigns'),
      sbCampaigns: truth('sbCampaigns'),
      sdCampaigns: truth('sdCampaigns'),
    };
    expect(expected.sdCampaigns.rows).toBeGreaterThan(0);
    expect(await warehouse()).toEqual(expected);

    // Profiles: all three are loaded; the agency one was not reported on.
    expect(
      await replay.rows(
        'select profile_id::text as id, account_type, currency_code from acme.amazon_ads_profiles order by 1',
      ),
    ).toEqual(
      AMAZON_PROFILES.map((profile) => ({
        id: String(profile.profileId),
        account_type: profile.accountInfo.type,
        currency_code: profile.currencyCode,
      })).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const scopes = new Set(
      api.requests
        .filter((request) => request.path === '/reporting/reports')
        .map((request) => request.headers['amazon-advertising-api-scope']),
    );
    expect([...scopes].sort()).toEqual(ADVERTISERS.map((profile) => String(profile.profileId)).sort());

    // A row as Amazon wrote it, typed: the profile comes from the request, not the file.
    const [profile] = ADVERTISERS;
    const [sample] = amazonReportRows(profile!.profileId, 'spCampaigns', START, START);
    expect(
      await replay.one(
        `select profile_id::text as profile_id, campaign_id::text as campaign_id, date::text as date, campaign_status, cost::text as cost,
                purchases_7d::int as purchases_7d
           from acme.amazon_ads_sp_campaigns_daily where campaign_id = ${String(sample!.campaignId)} and date = '${START}'`,
      ),
    ).toEqual({
      profile_id: String(profile!.profileId),
      campaign_id: String(sample!.campaignId),
      date: START,
      campaign_status: sample!.campaignStatus,
      cost: Number(sample!.cost).toFixed(2),
      purchases_7d: sample!.purchases7d,
    });

    // The faults happened and were survived the documented way.
    expect(api.unfiredFaults()).toEqual([]);
    const answered = (path: string) =>
      api.requests.filter((request) => request.path.startsWith(path)).map((request) => request.status);
    expect(answered('/reporting/reports')).toEqual(expect.arrayContaining([425, 429, 502, 503, 401]));
    expect(answered('/v2/profiles')).toContain(429);
    expect(answered('/auth/o2/token')).toContain(503);
    expect(answered('/offline-report-storage/')).toContain(500);
    const statuses = await replay.runtime.ctx.ports.runState.listItems(first.runId);
    const resubmitted = statuses.filter((item) => (item.resubmits ?? 0) > 0);
    expect(resubmitted.map((item) => item.stream)).toEqual(['sd_campaigns_daily']); // the FAILED report, requested again
    const reportIds = [...api.reports.values()];
    expect(reportIds.filter((report) => report.status === 'FAILED')).toHaveLength(1);
    // The lost create answer was followed through the 425 duplicate, not created twice.
    const spReports = reportIds.filter((report) => report.type === 'spCampaigns');
    expect(spReports).toHaveLength(ADVERTISERS.length * 2);
    // Downloads go to the pre-signed URL without credentials.
    const downloads = api.requests.filter((request) => request.path.startsWith('/offline-report-storage/'));
    expect(downloads.length).toBeGreaterThan(0);
    expect(downloads.every((request) => request.headers.authorization === undefined)).toBe(true);

    // LWA rotated the refresh token on every refresh (the expired access token forced a second
    // one); the store holds the one LWA accepts now, so the next run can still log in.
    const tokenRequests = api.requests.filter((request) => request.path === '/auth/o2/token');
    const used = tokenRequests.map((request) => new URLSearchParams(request.body).get('refresh_token'));
    expect(used[0]).toBe(AMAZON_FIRST_REFRESH_TOKEN);
    expect(new Set(used).size).toBeGreaterThanOrEqual(2);
    const stored = await replay.runtime.credentials.get('acme', 'amazon_ads');
    expect(stored.refresh_token).toBe(api.currentRefreshToken());

    // The second run re-reads the attribution window (the last week: one report per profile and
    // ad product) and changes nothing.
    const createsBefore = api.reports.size;
    const second = await replay.run();
    expect(api.reports.size - createsBefore).toBe(ADVERTISERS.length * 3);
    expect(second.result.status, JSON.stringify(second.result)).toBe('succeeded');
    expect(await warehouse()).toEqual(expected);
    expect(api.problems).toEqual([]);

    // Amazon attributes late purchases to the last days: the next run's lookback picks them up,
    // replacing those rows (merge) rather than adding to them.
    const restatedFrom = utcDaysAgo(5);
    api.restateFrom(restatedFrom);
    const third = await replay.run();
    expect(third.result.status, JSON.stringify(third.result)).toBe('succeeded');
    const restated = {
      spCampaigns: truth('spCampaigns', restatedFrom),
      sbCampaigns: truth('sbCampaigns', restatedFrom),
      sdCampaigns: truth('sdCampaigns', restatedFrom),
    };
    expect(restated.spCampaigns.purchases).toBeGreaterThan(expected.spCampaigns.purchases);
    expect(await warehouse()).toEqual(restated);
  }, 120_000);
});
