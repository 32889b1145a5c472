/**
 * Issue 19: the LinkedIn Marketing catalog source run as a user runs it — a client naming
 * `linkedin_ads` with a start date and the replay server's URLs, OAuth credentials stored as
 * `dif credentials put` stores them — through the whole local pipeline, against a fixture that
 * reads adAnalytics' Rest.li query raw, as LinkedIn does, with one transient failure on every
 * kind of call and an access token revoked mid-run. The warehouse must hold exactly the
 * fixture's data, and a second run, which re-reads the attribution window, must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import { utcDaysAgo } from './support/utcDaysAgo';
import { LINKEDIN_FAULTS, LINKEDIN_SECRETS, startLinkedInApi, type LinkedInApi } from './fixtures/linkedinApi';
import { LINKEDIN_ACCOUNTS, linkedinCampaigns, linkedinTruth } from './fixtures/linkedinData';

/** Ten days ending yesterday (the default end): two weekly slices per account. */
const START = utcDaysAgo(10);
const YESTERDAY = utcDaysAgo(1);
const ACTIVE = LINKEDIN_ACCOUNTS.filter((account) => account.status === 'ACTIVE').map((account) => account.id);

describe('catalog linkedin_ads: replay through the whole pipeline', () => {
  let api: LinkedInApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startLinkedInApi();
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('linkedin_ads', {
        base_url: `${api.url}/rest`,
        // The token endpoint on another host name, as www.linkedin.com is beside api.linkedin.com:
        // it is callable without allowed_hosts because it is the source's token_url.
        token_url: `${api.url.replace('127.0.0.1', 'localhost')}/oauth/v2/accessToken`,
        start_date: START,
      }),
      credentials: { linkedin_ads: { ...LINKEDIN_SECRETS } },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const analytics = () =>
    replay.one(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(spend)::text as spend,
              sum(conversions)::int as conversions from acme.linkedin_campaign_analytics_daily`,
    );
  const entities = async () => ({
    accounts: (await replay.one('select count(*)::int as n from acme.linkedin_ad_accounts')).n,
    campaigns: (await replay.one('select count(*)::int as n from acme.linkedin_campaigns')).n,
  });
  const analyticsCalls = (from = 0) =>
    api.requests.slice(from).filter((request) => request.path === '/rest/adAnalytics' && request.status === 200);

  it('lands exactly the fixture data through every injected fault', async () => {
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    expect(api.faults.fired.sort()).toEqual([...LINKEDIN_FAULTS].sort());

    expect(await analytics()).toEqual(linkedinTruth(ACTIVE, START, YESTERDAY));
    // Every account is listed; only the ACTIVE ones are read further (the fixture notes any other).
    expect(await entities()).toEqual({
      accounts: LINKEDIN_ACCOUNTS.length,
      campaigns: ACTIVE.flatMap(linkedinCampaigns).length,
    });
    // Typed columns: days from dateRange.start's {year, month, day}, budgets from decimal strings,
    // epoch milliseconds, the account id only the request carried.
    expect(
      await replay.one(
        `select c.daily_budget::text as budget, c.run_start = '2026-01-01T00:00:00Z'::timestamptz as started,
                count(a.*)::int as days, min(a.date)::text as first, min(a.account_id)::int as account
         from acme.linkedin_campaigns c join acme.linkedin_campaign_analytics_daily a
           on a.campaign_urn = 'urn:li:sponsoredCampaign:' || c.id
         where c.id = 610001 group by c.daily_budget, c.run_start`,
      ),
    ).toMatchObject({ budget: '50.00', started: true, account: 5101 });

    // The Rest.li query arrived as LinkedIn reads it, the URN percent-encoded inside List(...).
    const calls = analyticsCalls();
    expect(calls).toHaveLength(ACTIVE.length * 2);
    for (const call of calls) {
      expect(call.rawQuery).toMatch(/dateRange=\(start:\(year:\d{4},month:\d{1,2},day:\d{1,2}\),end:\(/);
      expect(call.rawQuery).toMatch(/accounts=List\(urn%3Ali%3AsponsoredAccount%3A510[12]\)/);
      expect(call.headers['x-restli-protocol-version']).toBe('2.0.0');
    }
    // The revoked token was refreshed once, fleet-wide, with the stored refresh token (calls in
    // flight with it when it was revoked got 401 too), and only the new one was used after.
    expect(api.tokens).toHaveLength(2);
    const tokenCalls = api.requests.filter((request) => request.path === '/oauth/v2/accessToken');
    expect(tokenCalls.every((request) => String(request.headers.host).startsWith('localhost:'))).toBe(true);
    const refused = api.requests.filter((request) => request.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((request) => request.headers.authorization === `Bearer ${api.tokens[0]}`)).toBe(true);
    // Searches paged by pageToken over pages shorter than pageSize.
    expect(api.requests.some((request) => request.query.get('pageToken') === 'cur_2')).toBe(true);
  }, 120_000);

  it('a second run re-reads the attribution window and changes nothing', async () => {
    const before = { analytics: await analytics(), entities: await entities() };
    const requestsBefore = api.requests.length;
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    // The 30-day lookback covers the whole range: both slices of both accounts were read again.
    expect(analyticsCalls(requestsBefore)).toHaveLength(ACTIVE.length * 2);
    expect({ analytics: await analytics(), entities: await entities() }).toEqual(before);
  }, 120_000);
});
