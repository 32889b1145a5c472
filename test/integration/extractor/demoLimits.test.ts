import { afterEach, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';

/** The demo API's opt-in limits and timed report jobs, as bench:extract relies on them. */
describe('demo API with limits', () => {
  let api: DemoApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });
  const get = (path: string, init?: RequestInit) => fetch(`${api!.url}${path}`, init);
  const page = '/paced/v1/accounts/1/daily?date=2026-01-01&pages=2';

  it('refuses with 429 beyond its concurrency and its sliding window, and counts each refusal', async () => {
    api = await startDemoApi({ limits: { requests: 2, perMs: 1500, concurrency: 1, latencyMs: 250 } });
    const together = await Promise.all([get(page), get(page)]);
    expect(together.map((response) => response.status).sort()).toEqual([200, 429]);
    expect(api.limits!.tally).toMatchObject({ served: 1, refusedForConcurrency: 1, maxInFlight: 1 });
    expect((await get(page)).status).toBe(200);
    const refused = await get(page);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(api.limits!.tally).toMatchObject({ served: 2, refusedForRate: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await get(page)).status).toBe(200);
  });

  it('serves without limits by default', async () => {
    api = await startDemoApi();
    const statuses = await Promise.all(Array.from({ length: 10 }, () => get(page).then((r) => r.status)));
    expect(statuses).toEqual(Array(10).fill(200));
    expect(api.limits).toBeUndefined();
  });

  it('runs a paced report job for reportJobMs, then serves its rows', async () => {
    api = await startDemoApi({ reportJobMs: 300 });
    const created = await get('/paced/v1/accounts/7/reports?date=2026-01-02', { method: 'POST' });
    const { report_id: id } = (await created.json()) as { report_id: string };
    expect(await (await get(`/paced/v1/reports/${id}`)).json()).toMatchObject({ status: 'RUNNING' });
    expect((await get(`/paced/v1/reports/${id}/rows`)).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 320));
    expect(await (await get(`/paced/v1/reports/${id}`)).json()).toMatchObject({ status: 'DONE' });
    const rows = (await (await get(`/paced/v1/reports/${id}/rows`)).json()) as { data: { account_id: string }[] };
    expect(rows.data).toHaveLength(5);
    expect(rows.data[0]).toMatchObject({ account_id: '7', date: '2026-01-02' });
    expect(api.state.pacedJobs.pollsWhileRunning).toBe(1);
  });
});
