/**
 * Issue 19: the TikTok catalog source run as a user runs it (a client naming `tiktok` with a start
 * date, one advertiser excluded, the base URL of a replay server; the token, app id and secret
 * stored as `dif credentials put` stores them) through the whole local pipeline, against a
 * fixture shaped on the Business API v1.3 reference with a fault on every kind of call — errors
 * inside 200s (40100, 50000), a 503, a 429 and a 500. The warehouse must hold exactly the
 * fixture's data, and a second run, which re-reads the attribution window, must change nothing.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneSourceClientYaml, openCatalogReplay, type CatalogReplay } from './support/catalogReplay';
import { utcDaysAgo } from './support/utcDaysAgo';
import { daysBetween } from './support/fixtureData';
import { TIKTOK_FAULTS, startTiktokApi, type TiktokApi } from './fixtures/tiktokApi';
import {
  TIKTOK_EXCLUDED,
  TIKTOK_LOADED,
  tiktokAdgroups,
  tiktokAds,
  tiktokCampaigns,
  tiktokReport,
  tiktokTotals,
} from './fixtures/tiktokDataset';

const SECRETS = { access_token: 'act.fixture-token-5f2a', app_id: '7100000000000000001', secret: 'fixture-app-secret' };
const START = utcDaysAgo(10);
const YESTERDAY = utcDaysAgo(1);

describe('catalog tiktok: replay through the whole pipeline', () => {
  let api: TiktokApi;
  let replay: CatalogReplay;

  beforeAll(async () => {
    api = await startTiktokApi({ token: SECRETS.access_token, appId: SECRETS.app_id, secret: SECRETS.secret });
    replay = await openCatalogReplay({
      client: 'acme',
      clientYaml: oneSourceClientYaml('tiktok', {
        base_url: api.url,
        start_date: START,
        exclude_advertiser_ids: TIKTOK_EXCLUDED,
      }),
      credentials: { tiktok: SECRETS },
    });
  });
  afterAll(async () => {
    await replay?.close();
    await api?.close();
  });

  const reportTotals = () =>
    replay.one(
      `select count(*)::int as rows, sum(impressions)::int as impressions, sum(clicks)::int as clicks,
              sum(conversions)::int as conversions, sum(purchases)::int as purchases,
              sum(spend)::text as spend, sum(purchase_value)::text as purchase_value from acme.tiktok_ad_daily`,
    );
  const count = async (table: string) => (await replay.one(`select count(*)::int as n from acme.${table}`)).n;
  const snapshot = async () => ({
    report: await reportTotals(),
    advertisers: await count('tiktok_advertisers'),
    campaigns: await count('tiktok_campaigns'),
    adgroups: await count('tiktok_adgroups'),
    ads: await count('tiktok_ads'),
  });

  it('lands exactly the fixture data through errors inside 200s, 429, 503 and 500 answers', async () => {
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    expect(api.faults.fired.sort()).toEqual([...TIKTOK_FAULTS].sort());

    const truth = TIKTOK_LOADED.flatMap((advertiser) => tiktokReport(advertiser, START, YESTERDAY));
    expect(await reportTotals()).toEqual(tiktokTotals(truth));
    expect(await snapshot()).toMatchObject({
      advertisers: 3, // what TikTok lists, the excluded one included; only two were read further
      campaigns: TIKTOK_LOADED.flatMap(tiktokCampaigns).length,
      adgroups: TIKTOK_LOADED.flatMap(tiktokAdgroups).length,
      ads: TIKTOK_LOADED.flatMap(tiktokAds).length,
    });
    // The advertiser is only in the request; days are TikTok's "YYYY-MM-DD 00:00:00"; times UTC.
    const perAdvertiser = await replay.rows(
      'select advertiser_id, count(*)::int as n, min(date)::text as first from acme.tiktok_ad_daily group by 1 order by 1',
    );
    expect(perAdvertiser).toEqual(
      TIKTOK_LOADED.map((advertiser) => {
        const rows = truth.filter((row) => tiktokAds(advertiser).some((ad) => ad.ad_id === row.dimensions.ad_id));
        return {
          advertiser_id: advertiser,
          n: rows.length,
          first: rows.map((row) => row.dimensions.stat_time_day.slice(0, 10)).sort()[0],
        };
      }),
    );
    expect(
      await replay.one(
        `select budget::text, create_time = '2025-12-01T09:15:00Z'::timestamptz as created from acme.tiktok_campaigns
         where campaign_id = '112000'`,
      ),
    ).toEqual({ budget: '201.00', created: true });

    // Each advertiser × weekly slice walked pages 1..total_page (20 rows a page), nothing more.
    const slices = [daysBetween(START, YESTERDAY).slice(0, 7), daysBetween(START, YESTERDAY).slice(7)];
    const expectedPages = TIKTOK_LOADED.flatMap((advertiser) =>
      slices.map((days) => Math.max(1, Math.ceil(tiktokReport(advertiser, days[0]!, days.at(-1)!).length / 20))),
    ).reduce((sum, pages) => sum + pages, 0);
    const served = api.requests.filter(
      (request) => request.path === '/report/integrated/get/' && request.status === 200,
    );
    expect(served.length).toBe(expectedPages + 1); // one more 200 carried the injected 40100
  }, 120_000);

  it('keeps the app secret and token, sent in a query string and a header, out of every stored file', () => {
    // The credentials store holds them encrypted; raw pages, run state, queues, logs of the
    // pipeline and the warehouse files must not hold them in clear.
    const leaks: string[] = [];
    let files = 0;
    const visit = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const child = join(path, entry.name);
        if (entry.isDirectory()) visit(child);
        else {
          files += 1;
          const bytes = readFileSync(child);
          for (const secret of [SECRETS.secret, SECRETS.access_token])
            if (bytes.includes(secret)) leaks.push(`${child} holds ${secret === SECRETS.secret ? 'secret' : 'token'}`);
        }
      }
    };
    visit(replay.dataDir);
    expect(files).toBeGreaterThan(20); // raw pages, clean parts, state, queues, warehouse
    expect(api.requests.some((request) => request.query.get('secret') === SECRETS.secret)).toBe(true);
    expect(leaks).toEqual([]);
  });

  it('a second run re-reads the attribution window and changes nothing', async () => {
    const before = await snapshot();
    const requestsBefore = api.requests.length;
    const outcome = await replay.run({ client: 'acme' });
    expect(outcome.result.status, JSON.stringify(outcome.result)).toBe('succeeded');
    expect(api.problems).toEqual([]);
    const rereads = api.requests
      .slice(requestsBefore)
      .filter((request) => request.path === '/report/integrated/get/' && request.query.get('page') === '1');
    expect(rereads).toHaveLength(4); // 2 advertisers × 2 weekly slices, all inside the 28-day lookback
    expect(await snapshot()).toEqual(before);
  }, 120_000);
});
