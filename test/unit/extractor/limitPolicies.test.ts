/** Issue 16 §6–7: usage header paths with the item's values; budgets per kind of request. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../services/extractor/http/HttpClient';
import { HostAllowList } from '../../../services/extractor/http/allowedHosts';
import { InProcessRateLimiter } from '../../../shared/adapters/local/InProcessRateLimiter';
import { limitPolicies } from '../../../services/extractor/http/limitPolicies';
import { usageSignalOf, usedFraction } from '../../../services/extractor/http/usageSignal';
import { rateLimit } from '../../../shared/config/schema/rateLimit';
import { problemsOf } from '../config/support/problemsOf';

const scope = { client: { account_id: '7001', app: 'a1' }, partition: { account_id: '1002' } };

describe('usage header with structure', () => {
  const meta = rateLimit.parse({
    requests: 100,
    per: '1s',
    usage_header: { name: 'X-Business-Use-Case-Usage', path: '$.{{ partition.account_id }}[*].call_count' },
  }).usage_header!;
  const header = (usage: Record<string, { type: string; call_count: number }[]>) => ({
    'x-business-use-case-usage': JSON.stringify(usage),
  });

  it("reads the work item's own account, the busiest use case counting", () => {
    const signal = usageSignalOf(meta, scope, 'sources/graph_ads.yml')!;
    expect(signal.value).toEqual({ header: 'X-Business-Use-Case-Usage', path: '$.1002[*].call_count' });
    const reading = header({
      '1002': [
        { type: 'ads_management', call_count: 12 },
        { type: 'ads_insights', call_count: 87 },
      ],
      '1003': [{ type: 'ads_management', call_count: 99 }],
    });
    expect(usedFraction(reading, signal)).toBeCloseTo(0.87);
    expect(usedFraction(header({ '1003': [{ type: 'ads_management', call_count: 99 }] }), signal)).toBeUndefined();
  });

  it('reads no usage for an item without the value that keys it (the call that lists the accounts)', () => {
    expect(usageSignalOf(meta, { client: { name: 'c' } }, 'sources/graph_ads.yml streams.ad_accounts')).toBeUndefined();
  });

  it('keeps `field` working, and fails loudly when a value breaks the path', () => {
    const legacy = rateLimit.parse({
      requests: 1,
      per: '1s',
      usage_header: { name: 'x-app-usage', field: 'call_count' },
    });
    expect(usedFraction({ 'x-app-usage': '{"call_count":40}' }, usageSignalOf(legacy.usage_header!, scope, 'x')!)).toBe(
      0.4,
    );
    expect(() =>
      usageSignalOf(meta, { partition: { account_id: 'a.b' } }, 'sources/graph_ads.yml streams.campaigns'),
    ).toThrow(/usage_header\.path: \{\{ partition\.account_id \}\} is "a\.b", which cannot be one key of a path/);
  });
});

describe('rate limits per kind of request', () => {
  it('gives each kind its own budget and scope; the source-wide budget keeps its old key', () => {
    const config = rateLimit.parse({
      scope: '{{ client.app }}',
      requests: 10,
      per: '1s',
      by_kind: {
        create: { scope: '{{ client.account_id }}', requests: 1, per: '2s' },
        download: { concurrency: 2 },
      },
    });
    const { policy, byKind } = limitPolicies('amz', config, scope);
    expect(policy).toEqual({
      scope: expect.stringMatching(/^amz:[0-9a-f]{16}$/),
      limits: [{ requests: 10, perMs: 1000 }],
    });
    expect(byKind.create).toEqual({
      scope: expect.stringMatching(/^amz:create:[0-9a-f]{16}$/),
      limits: [{ requests: 1, perMs: 2000 }],
    });
    // No scope of its own: the source-wide scope's hash, under the kind's key.
    expect(byKind.download).toEqual({
      scope: policy!.scope.replace('amz:', 'amz:download:'),
      limits: [],
      concurrency: 2,
    });
    expect(byKind.poll).toBeUndefined();
    const kindsOnly = limitPolicies('amz', rateLimit.parse({ by_kind: { create: { requests: 1, per: '1s' } } }), scope);
    expect(kindsOnly.policy).toBeUndefined();
    expect(kindsOnly.byKind.create?.scope).toBe('amz:create:app');
  });

  it('dif validate refuses an unknown kind and a budget without limits, at their lines', () => {
    const problems = problemsOf({
      'sources/amz.yml': `name: amz
base_url: https://api.example.com
rate_limit:
  requests: 10
  per: 1s
  by_kind:
    creates: { requests: 1, per: 1s }
    poll: { scope: "{{ client.account_id }}" }
streams:
  s:
    request: { path: /x }
    columns: { id: bigint }
    load: { table: s }
`,
    });
    expect(problems).toContain(
      'sources/amz.yml:7: rate_limit.by_kind: unknown key "creates": check the spelling (`dif schema` prints every allowed key)',
    );
    expect(problems.join('\n')).toMatch(
      /sources\/amz\.yml:8: rate_limit\.by_kind\.poll: give requests and per, or concurrency \(or both\)/,
    );
    expect(
      problemsOf({
        'sources/amz.yml':
          'name: amz\nbase_url: https://a.example\nrate_limit: { requests: 3 }\nstreams:\n  s:\n    request: { path: /x }\n    columns: { id: bigint }\n    load: { table: s }\n',
      }),
    ).toEqual(['sources/amz.yml:3: rate_limit.per: requests and per go together (e.g. requests: 10, per: 1s)']);
  });
});

describe('HttpClient takes the permits of a request kind', () => {
  let server: Server;
  let base: string;
  let status = 200;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.statusCode = status;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("kind's budget first, then the source's; a 429 pauses the kind's budget", async () => {
    const rateLimiter = new InProcessRateLimiter();
    const acquired: string[] = [];
    const pausedScopes: string[] = [];
    const acquire = rateLimiter.acquire.bind(rateLimiter);
    rateLimiter.acquire = (policy, signal) => {
      acquired.push(policy.scope);
      return acquire(policy, signal);
    };
    rateLimiter.backOff = async (scope) => void pausedScopes.push(scope);
    const client = new HttpClient({
      allowList: new HostAllowList(['127.0.0.1']),
      auth: { apply: async () => undefined },
      timeoutMs: 2_000,
      retry: { statuses: [429], maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      limiter: {
        rateLimiter,
        policy: { scope: 'amz:app', limits: [{ requests: 100, perMs: 1000 }] },
        byKind: { create: { scope: 'amz:create:p1', limits: [{ requests: 5, perMs: 1000 }] } },
      },
      redact: (text) => text,
    });
    const send = (kind?: 'create' | 'poll') =>
      client.exchange({ method: 'GET', url: `${base}/r`, headers: {}, ...(kind ? { kind } : {}) }, async (response) =>
        response.body.resume(),
      );
    await send('create');
    await send('poll');
    await send();
    expect(acquired).toEqual(['amz:create:p1', 'amz:app', 'amz:app', 'amz:app']);
    status = 429;
    await expect(send('create')).rejects.toThrow(/429/);
    await expect(send('poll')).rejects.toThrow(/429/);
    expect(pausedScopes).toEqual(['amz:create:p1', 'amz:app']);
    await rateLimiter.close();
  });
});
