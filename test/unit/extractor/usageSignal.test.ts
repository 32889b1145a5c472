import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, usedFraction, type UsageSignal } from '../../../services/extractor/http/HttpClient';
import { HostAllowList } from '../../../services/extractor/http/allowedHosts';
import { InProcessRateLimiter } from '../../../shared/adapters/local/InProcessRateLimiter';
import type { LimitPolicy } from '../../../shared/ports';

const META_USAGE: UsageSignal = {
  value: { header: 'x-app-usage', path: '$.call_count' },
  fullAt: 100,
  threshold: 0.8,
  factor: 0.5,
  forMs: 60_000,
};

describe('quota usage headers', () => {
  it('reads a plain or JSON usage header as a fraction of the quota', () => {
    expect(usedFraction({ 'x-app-usage': '{"call_count":85,"total_time":12}' }, META_USAGE)).toBeCloseTo(0.85);
    expect(usedFraction({ 'x-usage': '0.4' }, { ...META_USAGE, value: { header: 'X-Usage' }, fullAt: 1 })).toBeCloseTo(
      0.4,
    );
    expect(usedFraction({}, META_USAGE)).toBeUndefined();
    expect(usedFraction({ 'x-app-usage': 'not json' }, META_USAGE)).toBeUndefined();
  });

  describe('against an API that reports its usage', () => {
    let server: Server;
    let base: string;
    let usage = 10;
    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.setHeader('x-app-usage', JSON.stringify({ call_count: usage }));
        response.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('slows the shared budget down once usage crosses the threshold, and not before', async () => {
      const calls: [string, number, number][] = [];
      const rateLimiter = new InProcessRateLimiter();
      const slowDown = rateLimiter.slowDown.bind(rateLimiter);
      rateLimiter.slowDown = async (scope, factor, forMs) => {
        calls.push([scope, factor, forMs]);
        await slowDown(scope, factor, forMs);
      };
      const policy: LimitPolicy = { scope: 'graph:app', limits: [{ requests: 1000, perMs: 1000 }] };
      const client = new HttpClient({
        allowList: new HostAllowList(['127.0.0.1']),
        auth: { apply: async () => undefined },
        timeoutMs: 2_000,
        retry: { statuses: [], maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
        limiter: { rateLimiter, policy, byKind: {}, usage: META_USAGE },
        redact: (text) => text,
      });
      const get = () =>
        client.exchange({ method: 'GET', url: `${base}/insights`, headers: {} }, async (response) =>
          response.body.resume(),
        );
      await get();
      expect(calls).toEqual([]);
      usage = 92;
      await get();
      expect(calls).toEqual([['graph:app', 0.5, 60_000]]);
      await rateLimiter.close();
    });
  });
});

describe('InProcessRateLimiter.slowDown', () => {
  it('admits only the slowed fraction of each window until the slow-down ends', async () => {
    const limiter = new InProcessRateLimiter();
    const policy: LimitPolicy = { scope: 's', limits: [{ requests: 10, perMs: 60_000 }] };
    await limiter.slowDown('s', 0.5, 60_000);
    const granted: number[] = [];
    const attempts = Array.from({ length: 6 }, (_, index) => limiter.acquire(policy).then(() => granted.push(index)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(granted).toHaveLength(5);
    await limiter.close();
    await Promise.allSettled(attempts);
  });
});
