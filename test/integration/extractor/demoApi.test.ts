import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../../demo';

describe('demo API', () => {
  let api: DemoApi;
  const auth = { authorization: `Bearer ${DEMO_CREDENTIALS.demo_ads!.access_token}` };

  beforeAll(async () => {
    api = await startDemoApi({
      faults: [{ path: '/accounts/1001/campaigns', kind: 'status', status: 500, skip: 1, times: 1 }],
    });
  });
  afterAll(async () => api?.close());

  it('requires credentials', async () => {
    const response = await fetch(`${api.url}/ads/v1/businesses/b100/accounts`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 190 } });
  });

  it('serves seeded, deterministic data', async () => {
    const other = await startDemoApi({ seed: 42 });
    const different = await startDemoApi({ seed: 7 });
    try {
      const read = async (base: string) =>
        (await (
          await fetch(`${base}/ads/v1/campaigns/1001001/stats?since=2026-01-01&until=2026-01-03`, { headers: auth })
        ).json()) as { data: unknown[] };
      expect(await read(api.url)).toEqual(await read(other.url));
      expect(await read(api.url)).not.toEqual(await read(different.url));
      const truth = api.groundTruth
        .dailyStats('1001001', '2026-01-01', '2026-01-03')
        .map((stat) => ({ ...stat, actions: api.groundTruth.dailyActions('1001001', stat) }));
      expect((await read(api.url)).data).toEqual(truth);
    } finally {
      await other.close();
      await different.close();
    }
  });

  it('injects faults exactly where and when asked', async () => {
    const url = `${api.url}/ads/v1/accounts/1001/campaigns`;
    expect((await fetch(url, { headers: auth })).status).toBe(200);
    expect((await fetch(url, { headers: auth })).status).toBe(500);
    expect((await fetch(url, { headers: auth })).status).toBe(200);
  });

  it('serves the CSV report with a total count header', async () => {
    const response = await fetch(
      `${api.url}/reports/v1/advertisers/A/daily.csv?start=2026-01-01&end=2026-01-02&limit=4`,
      { headers: { 'x-api-key': DEMO_CREDENTIALS.demo_reports!.api_key! } },
    );
    expect(response.headers.get('x-total-count')).toBe('6');
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('date,advertiser_id,channel,sessions,conversions,revenue');
    expect(lines).toHaveLength(5);
  });
});
