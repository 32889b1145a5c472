import { planItems } from '../../support/planItems';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoApi, type DemoApi } from '../../../demo';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { extract } from '../../../services/extractor/handlers/extract';
import { pollJob } from '../../../services/extractor/handlers/pollJob';
import { startJob } from '../../../services/extractor/handlers/startJob';
import { loadConfig, type DifConfig } from '../../../shared/config';
import type { WorkItem } from '../../../shared/messages/workItem';
import { extractorContext, type ExtractorTestContext } from '../../support/extractorContext';

/** Issue 13 §3 and §5 on the async report calls of sources/sponsored_ads.yml (Amazon-Ads-like). */
describe('async report calls: errors inside 200s, downloads', () => {
  let api: DemoApi;
  let env: ExtractorTestContext;
  let config: DifConfig;
  let item: WorkItem;
  const source = () => config.sources.get('sponsored_ads')!;
  const asyncJob = () => source().streams.campaign_report!.async_job!;

  beforeAll(async () => {
    api = await startDemoApi();
    api.state.pollsUntilDone = 1;
    process.env.DIF_DEMO_API_URL = api.url;
    config = loadConfig(process.cwd());
    source().retry.base_delay = '10ms';
    env = extractorContext(config);
    clearOAuthTokenCache();
    item = (await planItems(env.ctx, { runId: 'a1', client: 'initech', source: 'sponsored_ads' })).items[0]!;
  });
  afterAll(async () => {
    await env?.close();
    await api?.close();
  });
  beforeEach(() => {
    api.faults.clear();
    api.requests.length = 0;
  });

  async function untilReady(job: Awaited<ReturnType<typeof startJob>>['job']) {
    for (let polls = 0; polls < 5; polls++) {
      const result = await pollJob(env.ctx, { item, job });
      if (result.status !== 'running') return result;
      job = result.job;
    }
    throw new Error('the job never became ready');
  }

  it('tells the state machine to wait async_job.poll.first_wait before the first status request (default: at once)', async () => {
    const poll = asyncJob().poll;
    expect((await startJob(env.ctx, { item })).waitSeconds).toBe(0);
    poll.first_wait = '2m';
    try {
      expect((await startJob(env.ctx, { item })).waitSeconds).toBe(120);
    } finally {
      delete poll.first_wait;
    }
  });

  it('retries an HTTP 200 {"code":"INTERNAL_ERROR"} poll answer instead of reading status ""', async () => {
    const { job } = await startJob(env.ctx, { item });
    api.faults.add({
      path: '/amazon/reporting/reports/',
      method: 'GET',
      kind: 'error_in_200',
      body: '{"code":"INTERNAL_ERROR"}',
    });
    const ready = await untilReady(job);
    expect(ready.status).toBe('ready');
    expect(api.requests.filter((request) => request.method === 'GET').map((request) => request.status)).toEqual([
      200, 200, 200,
    ]);
  });

  it('retries a status answer without any status even when no predicate names its envelope', async () => {
    const predicates = source().retry.error_when;
    source().retry.error_when = [];
    try {
      const { job } = await startJob(env.ctx, { item });
      api.faults.add({
        path: '/amazon/reporting/reports/',
        method: 'GET',
        kind: 'error_in_200',
        body: '{"code":"OOPS"}',
      });
      expect((await untilReady(job)).status).toBe('ready');
    } finally {
      source().retry.error_when = predicates;
    }
  });

  it('retries an error envelope inside a 200 on job create, then follows the job it creates', async () => {
    api.faults.add({
      path: '/amazon/reporting/reports',
      method: 'POST',
      kind: 'error_in_200',
      body: '{"code":"SERVER_IS_BUSY","details":"try again"}',
      times: 2,
    });
    const { job } = await startJob(env.ctx, { item: { ...item, itemId: 'create-retry' } });
    expect(job.id).toMatch(/^amazon-job-\d+$/);
    expect(api.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
  });

  it('downloads a gzip report with error_when configured: never parsed as JSON before decompression', async () => {
    expect(source().retry.error_when.length).toBeGreaterThan(0);
    const ready = await untilReady((await startJob(env.ctx, { item })).job);
    const output = await extract(env.ctx, { item, taskToken: 'tok', job: ready.job });
    expect(output.raw.objects).toBe(1);
    const download = api.requests.find((request) => request.path.startsWith('/amazon/files/'))!;
    // The pre-signed URL on the API's own host got no Authorization header (S3 refuses two).
    expect(download.headers.authorization).toBeUndefined();
    expect(download.status).toBe(200);
    // Asked to check the report too, it is decompressed first and passes (records are not an envelope).
    asyncJob().download.check_errors = true;
    try {
      const again = await untilReady((await startJob(env.ctx, { item })).job);
      expect((await extract(env.ctx, { item, taskToken: 'tok', job: again.job })).raw.objects).toBe(1);
    } finally {
      asyncJob().download.check_errors = false;
    }
  });

  it('download.auth: source sends the credentials to a download URL when a source asks for it', async () => {
    asyncJob().download.auth = 'source';
    try {
      const ready = await untilReady((await startJob(env.ctx, { item })).job);
      await expect(extract(env.ctx, { item, taskToken: 'tok', job: ready.job })).rejects.toThrow(
        /HTTP 400 .*Only one auth mechanism allowed/,
      );
      const download = api.requests.find((request) => request.path.startsWith('/amazon/files/'))!;
      expect(download.headers.authorization).toMatch(/^Bearer demo-access-/);
    } finally {
      delete asyncJob().download.auth;
    }
  });
});
