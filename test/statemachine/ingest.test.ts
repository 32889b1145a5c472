import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import validator from 'asl-validator';
import { DirectoryObjectStore } from '../../shared/adapters/local/DirectoryObjectStore';
import { LocalWorkflow } from '../../shared/adapters/local/LocalWorkflow';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { readIngestDefinition, runIngest, type IngestHandlers } from '../../profiles/local/ingestStateMachine';

type Item = { itemId: string; label: string; extraction: 'sync' | 'async' };
const lake = mkdtempSync(join(tmpdir(), 'dif-asl-'));
afterAll(() => rmSync(lake, { recursive: true, force: true }));
// The fake handlers below touch no port; the Distributed Map reads the items Plan wrote to the lake.
const ctx = { ports: { objectStore: new DirectoryObjectStore(lake) } } as unknown as ServiceContext;
let runs = 0;

class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Handlers that behave like the services: extract hands the token to a "loader" that completes it. */
function fakePipeline(
  workflow: LocalWorkflow,
  items: Item[],
  extractBehaviour: (item: Item, attempt: number) => 'deliver' | Error,
) {
  const attempts = new Map<string, number>();
  const calls: string[] = [];
  /** What the `Item failed` state recorded (run state, in the services): Finalize tallies from it. */
  const failures = new Map<string, string>();
  const runId = `run-${++runs}`;
  const handlers: IngestHandlers = {
    plan: async () => {
      const key = `runs/${runId}/items.jsonl`;
      await ctx.ports.objectStore.put(key, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
      const file = { key, resultsPrefix: `runs/${runId}/map-results`, count: items.length, bytes: 0 };
      return { runId, items: file, itemCount: items.length, maxConcurrency: 8, ecsSubnets: [] };
    },
    startJob: async (_ctx, input: { item: Item }) => {
      calls.push(`startJob:${input.item.itemId}`);
      return { item: input.item, job: { id: 'job-1', polls: 0 }, waitSeconds: 0 };
    },
    pollJob: async (_ctx, input: { item: Item; job: { id: string; polls: number } }) => {
      calls.push(`pollJob:${input.item.itemId}`);
      const polls = input.job.polls + 1;
      return {
        item: input.item,
        job: { ...input.job, polls },
        status: polls < 2 ? 'running' : 'ready',
        waitSeconds: 0,
      };
    },
    extract: async (_ctx, input: { item: Item; taskToken: string; job: unknown }) => {
      const attempt = (attempts.get(input.item.itemId) ?? 0) + 1;
      attempts.set(input.item.itemId, attempt);
      calls.push(`extract:${input.item.itemId}:${attempt}`);
      const behaviour = extractBehaviour(input.item, attempt);
      if (behaviour instanceof Error) throw behaviour;
      // The loader completes the token later, from another "service".
      setTimeout(
        () => void workflow.sendTaskSuccess(input.taskToken, { itemId: input.item.itemId, rowsLoaded: 10 }),
        5,
      );
      return { itemId: input.item.itemId };
    },
    recordFailure: async (_ctx, input: { item: Item; error: { Error: string; Cause: string } }) => {
      failures.set(input.item.label, input.error.Cause);
      return { itemId: input.item.itemId, label: input.item.label, status: 'failed', error: input.error };
    },
    finalize: async (_ctx, input: { runId: string }) => ({
      runId: input.runId,
      status: failures.size === 0 ? 'succeeded' : 'failed',
      items: items.length,
      failureCause: [...failures].map(([label, cause]) => `${label}: ${cause}`).join('; '),
    }),
  };
  return { handlers, calls, failures };
}

describe('statemachines/ingest.asl.yml', () => {
  it('is valid Amazon States Language', () => {
    const result = validator(readIngestDefinition());
    expect(result.errors ?? []).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('fans out one Map iteration per item and succeeds once every token is completed by the loader', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = ['a', 'b', 'c'].map((id) => ({
      itemId: id,
      label: `acme/src/${id}/all`,
      extraction: 'sync',
    }));
    const { handlers, calls } = fakePipeline(workflow, items, () => 'deliver');
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001 });
    expect(result.status).toBe('succeeded');
    expect(calls.filter((call) => call.startsWith('extract')).sort()).toEqual([
      'extract:a:1',
      'extract:b:1',
      'extract:c:1',
    ]);
    expect(workflow.openTasks()).toBe(0);
  });

  it('retries a transient extraction error, then succeeds', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'a', label: 'acme/src/a/all', extraction: 'sync' }];
    const { handlers, calls } = fakePipeline(workflow, items, (_item, attempt) =>
      attempt === 1 ? new NamedError('Extract.Transient', 'connection reset') : 'deliver',
    );
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001 });
    expect(result.status).toBe('succeeded');
    expect(calls).toEqual(['extract:a:1', 'extract:a:2']);
  });

  it('catches a permanent failure of one item, delivers the others, and fails the run with a readable cause', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [
      { itemId: 'good', label: 'acme/src/good/all', extraction: 'sync' },
      { itemId: 'bad', label: 'acme/src/bad/all', extraction: 'sync' },
    ];
    const { handlers, calls } = fakePipeline(workflow, items, (item) =>
      item.itemId === 'bad'
        ? new NamedError('Extract.HttpError', 'HTTP 404 from /v1/campaigns: check the account id')
        : 'deliver',
    );
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001 });
    expect(result).toMatchObject({ status: 'failed', error: 'Run.ItemsFailed' });
    expect(result.status === 'failed' && result.cause).toContain('acme/src/bad/all: HTTP 404 from /v1/campaigns');
    expect(calls).toContain('extract:good:1');
    expect(calls.filter((call) => call.startsWith('extract:bad'))).toHaveLength(1);
  });

  it('fails an item whose token is failed by a later stage (e.g. the transformer)', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'a', label: 'acme/src/a/all', extraction: 'sync' }];
    const { handlers } = fakePipeline(workflow, items, () => 'deliver');
    handlers.extract = async (_ctx, input: { taskToken: string }) => {
      setTimeout(
        () =>
          void workflow.sendTaskFailure(
            input.taskToken,
            'Transform.RejectThreshold',
            '12% of rows rejected, above the 5% threshold',
          ),
        5,
      );
      return {};
    };
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001 });
    expect(result.status === 'failed' && result.cause).toContain('12% of rows rejected');
  });

  it('runs async report items through StartJob → Wait → PollJob until ready, then Extract', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'r', label: 'acme/reports/daily/2026-01-01', extraction: 'async' }];
    const { handlers, calls } = fakePipeline(workflow, items, () => 'deliver');
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001, maxWaitSeconds: 0 });
    expect(result.status).toBe('succeeded');
    expect(calls).toEqual(['startJob:r', 'pollJob:r', 'pollJob:r', 'extract:r:1']);
  });

  it('waits async_job.poll.first_wait (StartJob waitSeconds) before the first status request', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'r', label: 'acme/reports/daily/2026-01-01', extraction: 'async' }];
    const { handlers, calls } = fakePipeline(workflow, items, () => 'deliver');
    const at: Record<string, number> = {};
    const { startJob, pollJob } = handlers;
    handlers.startJob = async (context, input: never) => {
      at.started = performance.now();
      return { ...((await startJob(context, input)) as object), waitSeconds: 1 };
    };
    handlers.pollJob = async (context, input: never) => {
      at.polled ??= performance.now();
      return pollJob(context, input);
    };
    // Before: StartJob went straight to PollJob, spending a status request on a job just created.
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001 });
    expect(result.status).toBe('succeeded');
    expect(calls).toEqual(['startJob:r', 'pollJob:r', 'pollJob:r', 'extract:r:1']);
    expect(at.polled! - at.started!).toBeGreaterThanOrEqual(950);
  });

  it('goes back to StartJob through a Wait when the platform failed the job, carrying the attempt in state', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'r', label: 'acme/reports/daily/2026-01-01', extraction: 'async' }];
    const { handlers, calls } = fakePipeline(workflow, items, () => 'deliver');
    type Job = { id: string; polls: number; attempt: number; lastFailure?: string };
    const startedWith: (Job | null)[] = [];
    handlers.startJob = async (_ctx, input: { item: Item; job: Job | null }) => {
      startedWith.push(input.job);
      const attempt = input.job ? input.job.attempt + 1 : 1;
      calls.push(`startJob:${input.item.itemId}:${attempt}`);
      return { item: input.item, job: { id: `job-${attempt}`, polls: 0, attempt }, waitSeconds: 0 };
    };
    handlers.pollJob = async (_ctx, input: { item: Item; job: Job }) => {
      calls.push(`pollJob:${input.job.id}`);
      const failed = input.job.attempt === 1;
      return {
        item: input.item,
        job: { ...input.job, polls: input.job.polls + 1, ...(failed ? { lastFailure: 'internal error' } : {}) },
        status: failed ? 'resubmit' : 'ready',
        waitSeconds: failed ? 30 : 1,
      };
    };
    const extracted: unknown[] = [];
    const extract = handlers.extract;
    handlers.extract = async (context, input: { item: Item; taskToken: string; job: unknown }) => {
      extracted.push(input.job);
      return extract(context, input as never);
    };
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001, maxWaitSeconds: 0 });
    expect(result.status).toBe('succeeded');
    expect(calls).toEqual(['startJob:r:1', 'pollJob:job-1', 'startJob:r:2', 'pollJob:job-2', 'extract:r:1']);
    expect(startedWith).toEqual([null, { id: 'job-1', polls: 1, attempt: 1, lastFailure: 'internal error' }]);
    expect(extracted).toEqual([{ id: 'job-2', polls: 1, attempt: 2 }]);
  });

  it("fails the item with PollJob's readable error when the job failed for good", async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'r', label: 'acme/reports/daily/2026-01-01', extraction: 'async' }];
    const { handlers } = fakePipeline(workflow, items, () => 'deliver');
    const reason = 'the platform failed the report job 3 times (async_job.resubmit.times: 2); …: "internal error"';
    handlers.pollJob = async (_ctx, input: { item: Item; job: object }) => ({
      item: input.item,
      job: { ...input.job, status: reason },
      status: 'failed',
      waitSeconds: 0,
    });
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001, maxWaitSeconds: 0 });
    expect(result.status === 'failed' && result.cause).toBe(`acme/reports/daily/2026-01-01: ${reason}`);
  });

  it('retries a report job that failed transiently, but not one the API refused', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [
      { itemId: 'flaky', label: 'acme/reports/daily/2026-01-01', extraction: 'async' },
      { itemId: 'refused', label: 'acme/reports/daily/2026-01-02', extraction: 'async' },
    ];
    const { handlers, calls } = fakePipeline(workflow, items, () => 'deliver');
    const startJob = handlers.startJob;
    const starts = new Map<string, number>();
    handlers.startJob = async (context, input: { item: Item }) => {
      const attempt = (starts.get(input.item.itemId) ?? 0) + 1;
      starts.set(input.item.itemId, attempt);
      if (input.item.itemId === 'flaky' && attempt === 1) throw new Error('socket hang up');
      if (input.item.itemId === 'refused')
        throw new NamedError('Extract.HttpError', 'HTTP 400 from /reports: the date range is too long');
      return startJob(context, input as never);
    };
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001, maxWaitSeconds: 0 });
    expect(starts).toEqual(
      new Map([
        ['flaky', 2],
        ['refused', 1],
      ]),
    );
    expect(calls).toContain('extract:flaky:1');
    expect(result.status === 'failed' && result.cause).toContain(
      'acme/reports/daily/2026-01-02: HTTP 400 from /reports',
    );
  });

  it('routes runtime: ecs items to the Fargate Task state, which runs the same extractor with its input as text', async () => {
    const workflow = new LocalWorkflow();
    const items = [{ itemId: 'big', label: 'acme/bulk/export/all', extraction: 'sync' as const, runtime: 'ecs' }];
    const { handlers, calls } = fakePipeline(workflow, items, () => 'deliver');
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001 });
    expect(result.status).toBe('succeeded');
    expect(calls).toEqual(['extract:big:1']);
  });

  it('turns a token that nobody completes into a timeout failure instead of hanging', async () => {
    const workflow = new LocalWorkflow();
    const items: Item[] = [{ itemId: 'a', label: 'acme/src/a/all', extraction: 'sync' }];
    const { handlers } = fakePipeline(workflow, items, () => 'deliver');
    handlers.extract = async () => ({});
    const result = await runIngest(ctx, workflow, handlers, {}, { retryIntervalScale: 0.001, itemTimeoutMs: 100 });
    expect(result.status === 'failed' && result.cause).toContain('not delivered within');
  });
});
