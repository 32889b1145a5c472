import { planItems } from '../../support/planItems';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { startDemoApi, type DemoApi } from '../../../demo';
import { clearOAuthTokenCache } from '../../../services/extractor/auth/OAuthTokenAuth';
import { extract } from '../../../services/extractor/handlers/extract';
import { pollJob } from '../../../services/extractor/handlers/pollJob';
import { startJob } from '../../../services/extractor/handlers/startJob';
import { loadConfig } from '../../../shared/config';
import { rawManifest } from '../../../shared/messages/rawReady';
import type { WorkItem } from '../../../shared/messages/workItem';
import { extractorContext, readObject, type ExtractorTestContext } from '../../support/extractorContext';

/** The example sources modelled on real platforms (sources/graph_ads, sponsored_ads, bing_reports). */
describe('example platform sources against the demo API', () => {
  let api: DemoApi;
  let env: ExtractorTestContext;

  beforeAll(async () => {
    api = await startDemoApi();
    api.state.pollsUntilDone = 1;
    process.env.DIF_DEMO_API_URL = api.url;
    env = extractorContext(loadConfig(process.cwd()));
    clearOAuthTokenCache();
  });
  afterAll(async () => {
    await env?.close();
    await api?.close();
  });

  async function manifestOf(key: string) {
    return rawManifest.parse(JSON.parse(await readObject(env.ctx, key)));
  }

  /** StartJob → PollJob until ready (the state machine's loop, without its Wait) → Extract. */
  async function runAsync(item: WorkItem) {
    let { job } = await startJob(env.ctx, { item });
    const statuses: string[] = [];
    const progress: (string | undefined)[] = [];
    for (let polls = 0; polls < 10; polls++) {
      const result = await pollJob(env.ctx, { item, job });
      statuses.push(result.status);
      progress.push(result.job.progress);
      job = result.job;
      if (result.status !== 'running') break;
    }
    expect(statuses.at(-1)).toBe('ready');
    return { statuses, progress, output: await extract(env.ctx, { item, taskToken: 'tok', job }) };
  }

  it('graph_ads: plans accounts × weeks and walks campaigns → insights with parent context', async () => {
    const { items } = await planItems(env.ctx, { runId: 'g1', client: 'initech', source: 'graph_ads' });
    expect(items.map((item) => item.partition)).toEqual([
      'all', // ad_accounts, whose records Plan read to discover 1002 and 1003 (account_ids narrows them)
      'account_id=1002',
      'account_id=1003',
      'account_id=1002/slice=2026-02-01..2026-02-07',
      'account_id=1002/slice=2026-02-08..2026-02-10',
      'account_id=1003/slice=2026-02-01..2026-02-07',
      'account_id=1003/slice=2026-02-08..2026-02-10',
    ]);
    const insights = items.find((item) => item.partition === 'account_id=1003/slice=2026-02-08..2026-02-10')!;
    const output = await extract(env.ctx, { item: insights, taskToken: 'tok' });
    const manifest = await manifestOf(output.raw.manifestKey);
    const rows: unknown[] = [];
    for (const entry of manifest.objects) {
      expect(entry.context).toMatchObject({ account_id: '1003' });
      rows.push(...(JSON.parse(await readObject(env.ctx, entry.key)) as { data: unknown[] }).data);
    }
    expect(rows).toHaveLength(api.groundTruth.campaigns('1003').length * 3);
  });

  it('sponsored_ads: OAuth refresh with rotation, async report, gzip detected by magic bytes', async () => {
    const { items } = await planItems(env.ctx, { runId: 's1', client: 'initech', source: 'sponsored_ads' });
    expect(items.map((item) => [item.partition, item.extraction])).toEqual([
      ['slice=2026-02-01..2026-02-07', 'async'],
      ['slice=2026-02-08..2026-02-10', 'async'],
    ]);
    const { statuses, progress, output } = await runAsync(items[0]!);
    expect(statuses).toEqual(['running', 'ready']);
    // The job's reported progress travels in its state (and so shows in the console).
    expect(progress[0]).toBe('0');
    const [entry] = (await manifestOf(output.raw.manifestKey)).objects;
    expect(entry!.key).toMatch(/-000001\.json\.gz$/);
    expect(entry!.contentType).toBe('application/gzip');
    const chunks: Buffer[] = [];
    for await (const chunk of await env.ctx.ports.objectStore.get(entry!.key)) chunks.push(chunk as Buffer);
    const records = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as unknown[];
    expect(records).toHaveLength(api.groundTruth.campaigns('1001').length * 7);
    // The refresh token rotated on the first token request and the new one was saved, in the
    // shared credential initech references (clients/initech.yml: credentials: { ref: agency-amazon }).
    const rotated = env.secrets.rotations.filter((rotation) => rotation.source === 'agency-amazon');
    expect(rotated.every((rotation) => rotation.client === '@shared')).toBe(true);
    expect(rotated).toHaveLength(1);
    expect(api.state.refreshTokens.has(rotated[0]!.changes.refresh_token!)).toBe(true);
    // A revoked access token: 401 → one refresh (with the rotated refresh token) → retry.
    api.state.expireAccessTokens();
    await runAsync(items[1]!);
    expect(env.secrets.rotations.filter((rotation) => rotation.source === 'agency-amazon')).toHaveLength(2);
    expect(api.state.refreshTokens.has(rotated[0]!.changes.refresh_token!)).toBe(false);
  });

  it('sponsored_ads: follows a duplicate job, re-polls an expired download URL, and treats no URL as no data', async () => {
    const { items } = await planItems(env.ctx, { runId: 's2', client: 'initech', source: 'sponsored_ads' });
    const first = await startJob(env.ctx, { item: items[0]! });
    const duplicate = await startJob(env.ctx, { item: items[0]! });
    expect(duplicate.job.id).toBe(first.job.id);
    api.faults.add({
      path: '/amazon/files/',
      kind: 'status',
      status: 403,
      body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
    });
    const ready = await pollJob(env.ctx, { item: items[0]!, job: first.job });
    expect(ready.status).toBe('running');
    const done = await pollJob(env.ctx, { item: items[0]!, job: ready.job });
    expect(done.status).toBe('ready');
    const output = await extract(env.ctx, { item: items[0]!, taskToken: 'tok', job: done.job });
    expect(output.raw.objects).toBe(1);
    expect(
      api.requests
        .filter((request) => request.path.startsWith('/amazon/files/'))
        .map((request) => request.status)
        .slice(-2),
    ).toEqual([403, 200]);
    api.faults.clear();

    const job = api.state.createJob('amazon', 'EMPTY', '2026-01-01', '2026-01-02').job;
    job.polls = 5;
    const empty = await extract(env.ctx, {
      item: items[1]!,
      taskToken: 'tok',
      job: { id: job.id, polls: 2, startedAt: new Date().toISOString() },
    });
    expect(empty.raw).toMatchObject({ objects: 0, pages: 0 });
  });

  it('a job the platform failed is created again (async_job.resubmit), counted in run state', async () => {
    const { items } = await planItems(env.ctx, { runId: 's3', client: 'initech', source: 'sponsored_ads' });
    const item = items[0]!;
    api.state.failJobsOnce.add('amazon|1001|2026-02-01');
    const first = await startJob(env.ctx, { item });
    expect(first.job.attempt).toBe(1);
    const failed = await pollJob(env.ctx, { item, job: first.job });
    expect(failed).toMatchObject({
      status: 'resubmit',
      waitSeconds: 1,
      job: { id: first.job.id, attempt: 1, lastFailure: expect.stringContaining('internal error. Please retry') },
    });
    expect(await env.ctx.ports.runState.getItem('s3', item.itemId)).toMatchObject({ stage: 'extracting' });
    // Back in StartJob with the failed job: a new job, not the failed one followed as a duplicate.
    const second = await startJob(env.ctx, { item, job: failed.job });
    expect(second.job).toMatchObject({ attempt: 2 });
    expect(second.job.id).not.toBe(first.job.id);
    expect(await env.ctx.ports.runState.getItem('s3', item.itemId)).toMatchObject({ resubmits: 1, attempts: 2 });
    const polled = await pollJob(env.ctx, { item, job: second.job });
    expect(polled.status).toBe('running');
    expect((await pollJob(env.ctx, { item, job: polled.job })).status).toBe('ready');
  });

  it('after the last re-submission the item fails saying the platform failed the job N times, quoting it', async () => {
    const { items } = await planItems(env.ctx, { runId: 's4', client: 'initech', source: 'sponsored_ads' });
    const job = api.state.createJob('amazon', 'FAIL', '2026-01-01', '2026-01-02').job;
    const result = await pollJob(env.ctx, {
      item: items[0]!,
      job: { id: job.id, polls: 0, startedAt: new Date().toISOString(), attempt: 3 },
    });
    expect(result.status).toBe('failed');
    expect(result.waitSeconds).toBe(0);
    const stored = await env.ctx.ports.runState.getItem('s4', items[0]!.itemId);
    expect(stored).toMatchObject({ stage: 'failed' });
    expect(stored!.error).toBe(
      `the platform failed the report job 3 times (async_job.resubmit.times: 2); the last job, ${job.id}, ended with status "FAILED": "Report generation failed due to an internal error. Please retry. (demo)". The platform ended these jobs, not DIF: run again later: the partition stays planned (and listed by \`dif status\`) until it loads, or ask the platform's support quoting job ${job.id}`,
    );
    expect(stored!.error).not.toMatch(/max_polls|check the report parameters/i);
    expect(result.job.status).toBe(stored!.error);
  });

  it('bing_reports: SOAP create/poll with SOAPAction, zip of CSV downloaded as is', async () => {
    const { items } = await planItems(env.ctx, { runId: 'b1', client: 'initech', source: 'bing_reports' });
    const { output } = await runAsync(items[0]!);
    const soap = api.requests.filter((request) => request.path === '/bing/Reporting.svc');
    expect(soap.map((request) => request.headers.soapaction)).toEqual([
      'SubmitGenerateReport',
      'PollGenerateReport',
      'PollGenerateReport',
      'PollGenerateReport',
    ]);
    const [entry] = (await manifestOf(output.raw.manifestKey)).objects;
    expect(entry!.key).toMatch(/-000001\.zip$/);
    expect(entry!.contentType).toBe('application/zip');
    const chunks: Buffer[] = [];
    for await (const chunk of await env.ctx.ports.objectStore.get(entry!.key)) chunks.push(chunk as Buffer);
    const csv = await new Promise<string>((resolve, reject) => {
      yauzl.fromBuffer(Buffer.concat(chunks), { lazyEntries: true }, (error, zip) => {
        if (error || !zip) return reject(error);
        zip.readEntry();
        zip.on('entry', (zipEntry: yauzl.Entry) =>
          zip.openReadStream(zipEntry, async (streamError, stream) => {
            if (streamError || !stream) return reject(streamError);
            const parts: Buffer[] = [];
            for await (const part of stream) parts.push(part as Buffer);
            resolve(Buffer.concat(parts).toString());
          }),
        );
      });
    });
    const lines = csv.trim().split('\n');
    expect(lines[4]).toBe('TimePeriod,CampaignId,Impressions,Clicks,Spend,Conversions');
    expect(lines.length - 6).toBe(api.groundTruth.campaigns('2001').length * 7);
  });
});
