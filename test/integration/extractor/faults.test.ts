import { planItems } from '../../support/planItems';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../../demo';
import { extract } from '../../../services/extractor/handlers/extract';
import { rawManifest } from '../../../shared/messages/rawReady';
import type { LimitPolicy } from '../../../shared/ports/RateLimiter';
import {
  configFrom,
  extractorContext,
  MemorySecrets,
  readObject,
  type ExtractorTestContext,
} from '../../support/extractorContext';

/** A small source over the demo API with fast retries, so each fault shows its handling. */
const SOURCE = `
name: t
base_url: "{{ env.DIF_DEMO_API_URL }}/ads/v1"
auth: { type: bearer, token: "{{ secrets.access_token }}" }
timeout: 300ms
rate_limit: { scope: "{{ secrets.access_token }}", requests: 1000, per: 1s, concurrency: 2 }
retry: { max_attempts: 3, base_delay: 10ms, max_delay: 5s, error_when: [{ path: $.error, exists: true }] }
streams:
  campaigns:
    request: { path: "/accounts/{{ client.account_id }}/campaigns", query: { limit: 2 } }
    records: $.data
    paginate: { type: cursor, cursor: $.paging.cursors.after, param: after, until_missing: $.paging.next }
    columns: { id: varchar(32) }
    load: { table: campaigns }
  missing:
    request: { path: "/accounts/9999/campaigns", query: { key: "{{ secrets.access_token }}" } }
    records: $.data
    columns: { id: varchar(32) }
    load: { table: missing }
  looping:
    request: { path: "/looping" }
    records: $.data
    paginate: { type: cursor, cursor: $.paging.cursors.after, param: after }
    columns: { id: varchar(32) }
    load: { table: looping }
  away:
    request: { path: "/redirect-away" }
    records: $.data
    columns: { id: varchar(32) }
    load: { table: away }
  home:
    request: { path: "/redirect-home" }
    records: $.data
    columns: { id: varchar(32) }
    load: { table: home }
  elsewhere:
    request: { path: "http://localhost:1/ads/v1/x" }
    columns: { id: varchar(32) }
    load: { table: elsewhere }
`;
const CLIENT = `client: c\nsources:\n  t: { params: { account_id: "1002" } }\n`;

describe('extraction under injected faults', () => {
  let api: DemoApi;
  let env: ExtractorTestContext;
  let sleeps: number[];
  let run = 0;
  const limits: LimitPolicy[] = [];
  const backOffs: [string, number][] = [];

  beforeAll(async () => {
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
    env = extractorContext(configFrom({ sources: { t: SOURCE }, clients: { c: CLIENT } }), {
      secrets: new MemorySecrets({ t: DEMO_CREDENTIALS.demo_ads! }),
    });
    const limiter = env.ctx.ports.rateLimiter;
    env.ctx.ports.rateLimiter = {
      acquire: async (policy, signal) => {
        limits.push(policy);
        return limiter.acquire(policy, signal);
      },
      backOff: async (scope, forMs) => {
        backOffs.push([scope, forMs]);
        return limiter.backOff(scope, 0);
      },
      close: () => limiter.close(),
    };
  });
  afterEach(() => api.faults.clear());
  afterAll(async () => {
    await env?.close();
    await api?.close();
  });

  async function extractStream(stream: string) {
    sleeps = [];
    const { items } = await planItems(env.ctx, { runId: `r${++run}`, stream });
    const item = items[0]!;
    const output = await extract(env.ctx, { item, taskToken: 'tok' }, { sleep: async (ms) => void sleeps.push(ms) });
    const manifest = rawManifest.parse(JSON.parse(await readObject(env.ctx, output.raw.manifestKey)));
    const records: unknown[] = [];
    for (const entry of manifest.objects)
      records.push(...(JSON.parse(await readObject(env.ctx, entry.key)) as { data: unknown[] }).data);
    return { item, output, records };
  }

  const campaigns = (): number => api.groundTruth.campaigns('1002').length;
  const callsTo = (fragment: string): number =>
    api.requests.filter((request) => request.path.includes(fragment)).length;

  it('retries 5xx with full-jitter backoff and still gets every record', async () => {
    api.faults.add({ path: '/accounts/1002/campaigns', kind: 'status', status: 503, times: 2 });
    const before = callsTo('/accounts/1002/campaigns');
    const { records } = await extractStream('campaigns');
    expect(records).toHaveLength(campaigns());
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeLessThan(10);
    expect(sleeps[1]).toBeLessThan(20);
    expect(callsTo('/accounts/1002/campaigns') - before).toBe(Math.ceil(campaigns() / 2) + 2);
  });

  it('honours Retry-After in seconds and as an HTTP date on 429', async () => {
    api.faults.add({ path: '/accounts/1002/campaigns', kind: 'status', status: 429, retryAfter: '2' });
    limits.length = 0;
    await extractStream('campaigns');
    expect(sleeps).toEqual([2000]);
    // Every request took a permit from the shared limiter; the 429 paused the whole scope.
    expect(limits).toHaveLength(Math.ceil(campaigns() / 2) + 1);
    expect(limits[0]).toMatchObject({ limits: [{ requests: 1000, perMs: 1000 }], concurrency: 2 });
    expect(limits[0]!.scope).toMatch(/^t:[0-9a-f]{16}$/);
    expect(limits[0]!.scope).not.toContain(DEMO_CREDENTIALS.demo_ads!.access_token);
    expect(backOffs).toEqual([[limits[0]!.scope, 2000]]);
    api.faults.clear();
    api.faults.add({
      path: '/accounts/1002/campaigns',
      kind: 'status',
      status: 429,
      retryAfter: new Date(Date.now() + 3000).toUTCString(),
    });
    await extractStream('campaigns');
    expect(sleeps[0]).toBeGreaterThan(1000);
    expect(sleeps[0]).toBeLessThanOrEqual(3000);
  });

  it('retries connection resets, truncated bodies, errors inside a 200 and timeouts', async () => {
    for (const fault of [
      { kind: 'reset' },
      { kind: 'truncate' },
      { kind: 'error_in_200' },
      { kind: 'delay', ms: 800 },
    ] as const) {
      api.faults.clear();
      api.faults.add({ path: '/accounts/1002/campaigns', skip: 1, ...fault });
      const { records, output } = await extractStream('campaigns');
      expect(records, fault.kind).toHaveLength(campaigns());
      expect(sleeps, fault.kind).toHaveLength(1);
      expect(output.raw.objects).toBe(Math.ceil(campaigns() / 2));
    }
  });

  it('sends task heartbeats while a slow extraction runs', async () => {
    const beats: string[] = [];
    env.ctx.ports.workflow = {
      sendTaskHeartbeat: async (token) => void beats.push(token),
      sendTaskSuccess: async () => undefined,
      sendTaskFailure: async () => undefined,
    };
    api.faults.add({ path: '/accounts/1002/campaigns', kind: 'delay', ms: 150, times: 3 });
    const { items } = await planItems(env.ctx, { runId: `r${++run}`, stream: 'campaigns' });
    await extract(env.ctx, { item: items[0]!, taskToken: 'beating' }, { heartbeatMs: 40 });
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(new Set(beats)).toEqual(new Set(['beating']));
  });

  it('gives up after max_attempts with a message that says what kept failing', async () => {
    api.faults.add({ path: '/accounts/1002/campaigns', kind: 'status', status: 502, times: 5 });
    await expect(extractStream('campaigns')).rejects.toThrow(
      /c\/t\/campaigns\/all: gave up on http:\/\/127\.0\.0\.1:\d+\/ads\/v1\/accounts\/1002\/campaigns\?limit=2 after 3 attempts: HTTP 502/,
    );
  });

  it('fails a 4xx at once with status, URL without secrets, an excerpt and a hint; run state keeps the error', async () => {
    const error = await extractStream('missing').catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      /HTTP 404 from .*\/accounts\/9999\/campaigns.*account 9999 not found.*check the ids in the client params/,
    );
    expect(message).not.toContain(DEMO_CREDENTIALS.demo_ads!.access_token);
    expect(sleeps).toEqual([]);
    const items = await env.ctx.ports.runState.listItems(`r${run}`);
    expect(items[0]).toMatchObject({ stage: 'failed' });
    expect(items[0]!.error).toContain('HTTP 404');
    expect(items[0]!.error).not.toContain(DEMO_CREDENTIALS.demo_ads!.access_token);
  });

  it('stops on a repeated cursor instead of looping', async () => {
    await expect(extractStream('looping')).rejects.toThrow(/same page cursor twice/);
  });

  it('refuses hosts outside the allow-list, also through redirects', async () => {
    await expect(extractStream('away')).rejects.toThrow(
      /refused to call http:\/\/localhost:\d+\/ads\/v1\/businesses\/b100\/accounts: its host is not in allowed_hosts/,
    );
    await expect(extractStream('elsewhere')).rejects.toThrow(/refused to call http:\/\/localhost:1\//);
    const { records } = await extractStream('home');
    expect(records).toHaveLength(3);
  });
});
