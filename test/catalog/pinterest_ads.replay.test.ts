/**
 * Issue 19: the Pinterest catalog source run as a user runs it — a client naming
 * `pinterest_ads` with a start date, the replay server's URLs and one account excluded, the
 * app's id and secret and a refresh token stored as `dif credentials put` stores them — through
 * the whole local pipeline (create → poll → download of asynchronous reports), with one
 * transient failure on every kind of call, a report Pinterest fails, an expired download URL and
 * a revoked token. The warehouse must hold exactly the fixture's data, the rotated refresh
 * token must be the one stored, and a second run must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import { utcDaysAgo } from './support/utcDaysAgo';
import { PINTEREST_FAULTS, PINTEREST_SECRETS, startPinterestApi, type PinterestApi } from './fixtures/pinterestApi';
import { PINTEREST_ACCOUNTS, pinterestCampaigns, pinterestTruth } from './fixtures/pinterestData';

/** Ten days ending yesterday (the default end): two weekly reports per account. */
const START = utcDaysAgo(10);
const YESTERDAY = utcDaysAgo(1);
const EXCLUDED = PINTEREST_ACCOUNTS[2]!.id;
const READ = PINTEREST_ACCOUNTS.map((account) => account.id).filter((id) => id !== EXCLUDED);

describe('catalog pinterest_ads: replay through the whole pipeline', () => {
  let api: PinterestApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startPinterestApi({ excluded: [EXCLUDED] });
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('pinterest_ads', {
        base_url: `${api.url}/v5`,
        token_url: `${api.url}/v5/oauth/token`,
        start_date: START,
        exclude_account_ids: EXCLUDED,
      }),
      credentials: { pinterest_ads: { ...PINTEREST_SECRETS } },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const delivery = () =>
    replay.one(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(spend_micro)::text as spend_micro,
              sum(checkout_value_micro)::text as checkout_value_micro from acme.pinterest_campaign_delivery_daily`,
    );
  const entities = async () => ({
    accounts: (await replay.one('select count(*)::int as n from acme.pinterest_ad_accounts')).n,
    campaigns: (await replay.one('select count(*)::int as n from acme.pinterest_campaigns')).n,
  });

  it('lands exactly the fixture data through every injected fault', async () => {
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    expect(api.faults.fired.sort()).toEqual([...PINTEREST_FAULTS].sort());

    expect(await delivery()).toEqual(pinterestTruth(READ, START, YESTERDAY));
    expect(await entities()).toEqual({
      accounts: PINTEREST_ACCOUNTS.length,
      campaigns: READ.flatMap(pinterestCampaigns).length,
    });
    // The account id only the request carried, the day from DATE, epoch-second times.
    expect(
      await replay.one(
        `select min(d.account_id) as account, count(distinct d.date)::int > 1 as days,
                min(c.start_time) = '2026-01-01T00:00:00Z'::timestamptz as started
         from acme.pinterest_campaign_delivery_daily d join acme.pinterest_campaigns c on c.id = d.campaign_id
         where d.campaign_id = '626744128001'`,
      ),
    ).toEqual({ account: READ[0], days: true, started: true });

    // Two accounts × two weekly slices, plus the one report Pinterest failed, created again.
    expect(api.jobs).toHaveLength(READ.length * 2 + 1);
    const failed = api.jobs.find((job) => job.fails)!;
    expect(api.jobs.filter((job) => job.account === failed.account && job.start === failed.start)).toHaveLength(2);
    // The refresh token rotated on every refresh and the latest one is stored.
    const stored = await replay.runtime.credentials.get('acme', 'pinterest_ads');
    expect(stored.refresh_token).toBe(api.refreshToken());
    expect(stored.refresh_token).not.toBe(PINTEREST_SECRETS.refresh_token);
  }, 120_000);

  it('a second run re-reads the attribution window and changes nothing', async () => {
    const before = { delivery: await delivery(), entities: await entities() };
    const jobsBefore = api.jobs.length;
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    // The 30-day lookback covers the whole range: every report was created again.
    expect(api.jobs.length - jobsBefore).toBe(READ.length * 2);
    expect({ delivery: await delivery(), entities: await entities() }).toEqual(before);
  }, 120_000);
});
