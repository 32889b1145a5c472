/**
 * Issue 19: the Snapchat catalog source run as a user runs it — a client naming `snapchat_ads`
 * with a start date, its ad accounts' time zone and the replay server's URLs, OAuth credentials
 * stored as `dif credentials put` stores them — through the whole local pipeline, against a
 * fixture that refuses stats windows not aligned on the ad account's midnight, with one transient
 * failure on every kind of call and an access token expiring mid-run. The warehouse must hold
 * exactly the fixture's data (every campaign × local day of the nested breakdown), and a second
 * run, which re-reads the attribution window, must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import { utcDaysAgo } from './support/utcDaysAgo';
import { SNAPCHAT_FAULTS, SNAPCHAT_SECRETS, startSnapchatApi, type SnapchatApi } from './fixtures/snapchatApi';
import { SNAPCHAT_ACCOUNTS, SNAPCHAT_ZONE, snapchatCampaigns, snapchatTruth } from './fixtures/snapchatData';
import { daysBetween } from './support/fixtureData';

/** Ten days ending yesterday (the default end): two weekly requests per account. */
const START = utcDaysAgo(10);
const YESTERDAY = utcDaysAgo(1);
const ACTIVE = SNAPCHAT_ACCOUNTS.filter((account) => account.status === 'ACTIVE').map((account) => account.id);

describe('catalog snapchat_ads: replay through the whole pipeline', () => {
  let api: SnapchatApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startSnapchatApi();
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('snapchat_ads', {
        base_url: `${api.url}/v1`,
        token_url: `${api.url}/login/oauth2/access_token`,
        start_date: START,
        timezone: SNAPCHAT_ZONE,
      }),
      credentials: { snapchat_ads: { ...SNAPCHAT_SECRETS } },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const stats = () =>
    replay.one(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(spend_micro)::text as spend_micro
       from acme.snapchat_campaign_stats_daily`,
    );
  const entities = async () => ({
    accounts: (await replay.one('select count(*)::int as n from acme.snapchat_ad_accounts')).n,
    campaigns: (await replay.one('select count(*)::int as n from acme.snapchat_campaigns')).n,
  });

  it('lands exactly the fixture data through every injected fault', async () => {
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    expect(api.faults.fired.sort()).toEqual([...SNAPCHAT_FAULTS].sort());

    expect(await stats()).toEqual(snapchatTruth(ACTIVE, START, YESTERDAY));
    // Accounts of both organizations (paged by next_link) are listed; only ACTIVE ones are read.
    expect(await entities()).toEqual({
      accounts: SNAPCHAT_ACCOUNTS.length,
      campaigns: ACTIVE.flatMap(snapchatCampaigns).length,
    });
    // Every local day of the range, each read once per account, and dated by the account's day.
    const covered = api.statsCalls.filter((call) => call.account === ACTIVE[0]).flatMap((call) => call.days);
    expect(covered.sort()).toEqual(daysBetween(START, YESTERDAY));
    expect(
      await replay.rows(`select distinct date::text as date from acme.snapchat_campaign_stats_daily order by 1`),
    ).toEqual(daysBetween(START, YESTERDAY).map((date) => ({ date })));
  }, 120_000);

  it('a second run re-reads the attribution window and changes nothing', async () => {
    const before = { stats: await stats(), entities: await entities() };
    const callsBefore = api.statsCalls.length;
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    // The 28-day lookback covers the whole range: both weeks of both accounts were read again.
    expect(api.statsCalls.length - callsBefore).toBe(ACTIVE.length * 2);
    expect({ stats: await stats(), entities: await entities() }).toEqual(before);
  }, 120_000);
});
