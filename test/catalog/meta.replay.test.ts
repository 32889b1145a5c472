/**
 * Issue 19: the Meta catalog source, run as a user runs it (a client naming `meta` with a start
 * date and the base URL of a replay server, a token stored as `dif credentials put` stores it)
 * through the whole local pipeline, against a fixture shaped on the Graph API reference with one
 * transient failure on every kind of call. The warehouse must hold exactly the fixture's data,
 * and a second run, which re-reads the attribution window, must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import { utcDaysAgo } from './support/utcDaysAgo';
import { META_FAULTS, startMetaApi, type MetaApi } from './fixtures/metaApi';
import {
  META_LOADED_ACCOUNTS,
  insightTotals,
  metaAds,
  metaAdsets,
  metaCampaigns,
  metaInsights,
} from './fixtures/metaDataset';

const TOKEN = 'EAAGm0PX4ZCpsBAfixture-token';
/** Ten days ending yesterday (the default end), in two weekly slices from the start date. */
const START = utcDaysAgo(10);
const YESTERDAY = utcDaysAgo(1);

describe('catalog meta: replay through the whole pipeline', () => {
  let api: MetaApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startMetaApi({ token: TOKEN });
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('meta', { base_url: api.url, start_date: START }),
      credentials: { meta: { access_token: TOKEN } },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const expected = (byPlacement: boolean) =>
    insightTotals(META_LOADED_ACCOUNTS.flatMap((account) => metaInsights(account, START, YESTERDAY, byPlacement)));
  const totals = (table: string) =>
    replay.one(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(clicks)::int as clicks,
              sum(spend)::text as spend, coalesce(sum(purchases), 0)::text as purchases,
              coalesce(sum(purchase_value), 0)::text as purchase_value from acme.${table}`,
    );
  const entityCounts = async () => ({
    accounts: (await replay.one('select count(*)::int as n from acme.meta_ad_accounts')).n,
    campaigns: (await replay.one('select count(*)::int as n from acme.meta_campaigns')).n,
    adsets: (await replay.one('select count(*)::int as n from acme.meta_adsets')).n,
    ads: (await replay.one('select count(*)::int as n from acme.meta_ads')).n,
  });

  it('lands exactly the fixture data through every injected fault', async () => {
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    expect(api.faults.fired.sort()).toEqual([...META_FAULTS].sort());

    const { actions, ...sync } = expected(false);
    expect(await totals('meta_ad_insights')).toEqual({ ...sync });
    expect((await replay.one('select count(*)::int as n from acme.meta_ad_insight_actions')).n).toBe(actions);
    const { actions: _placementActions, ...byPlacement } = expected(true);
    expect(await totals('meta_ad_placement_insights')).toEqual(byPlacement);

    // Accounts: all three listed (the table is what Meta lists); only 101 and 102 were read further.
    expect(await entityCounts()).toEqual({
      accounts: 3,
      campaigns: META_LOADED_ACCOUNTS.flatMap(metaCampaigns).length,
      adsets: META_LOADED_ACCOUNTS.flatMap(metaAdsets).length,
      ads: META_LOADED_ACCOUNTS.flatMap(metaAds).length,
    });
    // Typed columns: Graph's "+0000" times, budgets in minor units, the creative id from an object.
    expect(
      await replay.one(
        `select c.daily_budget::int as budget, c.updated_time = '2026-01-03T12:00:00Z'::timestamptz as updated,
                a.creative_id from acme.meta_campaigns c join acme.meta_ads a on a.campaign_id = c.id
         where c.id = '101001' order by a.id limit 1`,
      ),
    ).toEqual({ budget: 5000, updated: true, creative_id: '71010010101' });
    // purchases reads the 'purchase' entry only, never omni_purchase next to it.
    const omni = await replay.one(
      `select count(*)::int as n from acme.meta_ad_insight_actions a join acme.meta_ad_insights i
         on i.ad_id = a.ad_id and i.date = a.date
       where a.action_type = 'omni_purchase' and a.value <> i.purchases + 1`,
    );
    expect(omni.n).toBe(0);

    // The failed report run was created again; every job was polled until it completed.
    const failed = api.jobs.filter((job) => job.fails);
    expect(failed).toHaveLength(1);
    expect(api.jobs.filter((job) => job.account === failed[0]!.account && job.since === failed[0]!.since)).toHaveLength(
      2,
    );
    // Two accounts × two weekly slices, each walked by cursor over pages shorter than the limit.
    const syncWalks = api.requests.filter(
      (request) => request.method === 'GET' && /\/act_\d+\/insights$/.test(request.path) && !request.query.has('after'),
    );
    expect(syncWalks.filter((request) => request.status === 200)).toHaveLength(4);
  }, 120_000);

  it('a second run re-reads the attribution window and changes nothing', async () => {
    const before = {
      sync: await totals('meta_ad_insights'),
      placement: await totals('meta_ad_placement_insights'),
      entities: await entityCounts(),
    };
    const requestsBefore = api.requests.length;
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    // The 28-day lookback covers the whole window: both slices of both accounts were read again.
    const rereads = api.requests
      .slice(requestsBefore)
      .filter(
        (request) => /\/act_\d+\/insights$/.test(request.path) && !request.query.has('after') && request.status === 200,
      );
    expect(rereads.length).toBe(8);
    expect({
      sync: await totals('meta_ad_insights'),
      placement: await totals('meta_ad_placement_insights'),
      entities: await entityCounts(),
    }).toEqual(before);
  }, 120_000);
});
