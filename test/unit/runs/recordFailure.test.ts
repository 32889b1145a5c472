import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteRunStateStore } from '../../../shared/adapters/local';
import { recordFailure } from '../../../services/runs/handlers/recordFailure';
import { finalize } from '../../../services/runs/handlers/finalize';
import { loadConfig } from '../../../shared/config';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';

const dir = mkdtempSync(join(tmpdir(), 'dif-record-failure-'));
const runState = SqliteRunStateStore.open(join(dir, 'state.db'));
afterAll(async () => {
  await runState.close();
  rmSync(dir, { recursive: true, force: true });
});
const ctx = {
  config: loadConfig(process.cwd()),
  ports: { runState },
  now: () => new Date('2026-02-01T00:00:00Z'),
} as unknown as ServiceContext;

const item = (itemId: string) => ({
  runId: 'r1',
  itemId,
  label: `acme/demo_ads/campaigns/${itemId}`,
  client: 'acme',
  source: 'demo_ads',
  stream: 'campaigns',
  partition: itemId,
});

describe('the `Item failed` state records why an item failed, so Finalize needs no Map output', () => {
  it('records a failure no handler saw (a timeout waiting for the loader), keeps one a stage recorded, and leaves a loaded item alone', async () => {
    await runState.createRun({ runId: 'r1', status: 'running', startedAt: '2026-02-01T00:00:00Z' });
    for (const id of ['timeout', 'extract', 'loaded', 'lambda'])
      await runState.updateItem('r1', id, {
        client: 'acme',
        source: 'demo_ads',
        stream: 'campaigns',
        partition: id,
        stage: 'planned',
        attempts: 0,
      });
    await runState.updateItem('r1', 'extract', {
      stage: 'failed',
      error: 'HTTP 404 from /campaigns: check the account id',
    });
    await runState.updateItem('r1', 'loaded', { stage: 'loaded', rowsLoaded: 3 });
    await runState.updateItem('r1', 'timeout', { stage: 'transforming' });

    const timedOut = await recordFailure(ctx, {
      item: item('timeout'),
      error: { Error: 'States.Timeout', Cause: 'the item was not delivered within 21600 s' },
    });
    expect(timedOut).toEqual({
      itemId: 'timeout',
      label: 'acme/demo_ads/campaigns/timeout',
      status: 'failed',
      error: { Error: 'States.Timeout', Cause: 'the item was not delivered within 21600 s' },
    });
    // A Lambda failure's Cause is a JSON document: its message is what a person reads.
    await recordFailure(ctx, {
      item: item('lambda'),
      error: {
        Error: 'StartJob.HttpError',
        Cause: JSON.stringify({ errorMessage: 'HTTP 400: date range too long', errorType: 'StartJob.HttpError' }),
      },
    });
    await recordFailure(ctx, {
      item: item('extract'),
      error: { Error: 'Extract.HttpError', Cause: 'acme/…: HTTP 404' },
    });
    await recordFailure(ctx, { item: item('loaded'), error: { Error: 'States.Timeout', Cause: 'late' } });

    const byId = Object.fromEntries((await runState.listItems('r1')).map((record) => [record.itemId, record]));
    expect(byId.timeout).toMatchObject({ stage: 'failed', error: 'the item was not delivered within 21600 s' });
    expect(byId.lambda).toMatchObject({ stage: 'failed', error: 'HTTP 400: date range too long' });
    expect(byId.extract).toMatchObject({ stage: 'failed', error: 'HTTP 404 from /campaigns: check the account id' });
    expect(byId.loaded).toMatchObject({ stage: 'loaded' });
    expect(byId.loaded!.error).toBeUndefined();

    const summary = await finalize(ctx, { runId: 'r1', mapRun: { MapRunArn: 'arn', ResultWriterDetails: {} } });
    expect(summary.status).toBe('failed');
    expect(summary.failed.map((failure) => [failure.itemId, failure.error]).sort()).toEqual([
      ['extract', 'HTTP 404 from /campaigns: check the account id'],
      ['lambda', 'HTTP 400: date range too long'],
      ['timeout', 'the item was not delivered within 21600 s'],
    ]);
  });

  it("fails the run naming the Map Run's own failure when the Map state's Catch caught one", async () => {
    await runState.createRun({ runId: 'r2', status: 'running', startedAt: '2026-02-01T00:00:00Z' });
    const { runId: _run, itemId: _id, label: _label, ...identity } = item('a');
    await runState.updateItem('r2', 'a', { ...identity, stage: 'planned', attempts: 0 });
    const summary = await finalize(ctx, {
      runId: 'r2',
      mapRun: { Error: 'States.ItemReaderFailed', Cause: 'cannot read the items at runs/r2/items.jsonl' },
    });
    expect(summary.status).toBe('failed');
    expect(summary.failureCause).toContain(
      'the Map Run over the work items failed (States.ItemReaderFailed: cannot read the items at runs/r2/items.jsonl)',
    );
    expect(summary.failed[0]).toMatchObject({
      itemId: 'a',
      error: expect.stringMatching(/did not finish \(stopped at stage planned\)/),
    });
  });
});
