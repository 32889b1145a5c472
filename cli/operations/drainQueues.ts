import type { Queue } from '../../shared/ports';
import type { QueueStage, StageHandler } from '../../shared/runtime/consumeMessage';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { LOCAL_REDELIVERY_BACKOFF, type RedeliveryBackoff } from '../../shared/runtime/redeliveryDelay';

/** One stage to drain: its queue and the handler that consumes it. */
export interface DrainStage {
  stage: QueueStage;
  queue: Queue;
  handler: StageHandler;
}

export interface DrainOptions {
  /** The queues' redrive setting; the delivery with this receive count is the last. */
  maxReceiveCount: number;
  /** Delays before a failed message is offered again (default: the local runtime's, 4 s doubling to 60 s). */
  backoff?: RedeliveryBackoff;
  /** Give up (and report what is left) after this long. */
  timeoutMs: number;
  /** Messages each stage handles at once (default 1). */
  concurrency?: number;
  /** How often the queues' depth is checked (default 100 ms). */
  pollMs?: number;
}

export interface DrainResult {
  /** True when every queue was empty (nothing visible, nothing in flight) before the timeout. */
  drained: boolean;
  durationMs: number;
  /** Per stage: messages still waiting, and dead letters added while draining. */
  stages: Record<string, { left: number; newlyDead: number }>;
}

/**
 * Runs the given stages' consumers (the same {@link QueueWorker}s `dif run` uses, hence the same
 * consumer policy) until all their queues are empty. Drain a stage together with the stages
 * after it (transform, then load), so a replayed message is carried all the way to the warehouse.
 * Messages that fail again go back to the DLQ after `maxReceiveCount` deliveries, as in a run.
 *
 * @example
 * await drainQueues(ctx, [{ stage: 'load', queue: ctx.ports.queues.load, handler: load }], { maxReceiveCount: 5, timeoutMs: 300_000 });
 */
export async function drainQueues(
  ctx: ServiceContext,
  stages: DrainStage[],
  options: DrainOptions,
): Promise<DrainResult> {
  const started = Date.now();
  const { QueueWorker } = await import('../../profiles/local/QueueWorker');
  const deadBefore = await Promise.all(stages.map(async ({ queue }) => (await queue.depth()).dead));
  const workers = stages.map(
    ({ stage, queue, handler }) =>
      new QueueWorker(ctx, stage, queue, handler, {
        concurrency: options.concurrency ?? 1,
        maxReceiveCount: options.maxReceiveCount,
        visibilityTimeoutSeconds: 300,
        backoff: options.backoff ?? LOCAL_REDELIVERY_BACKOFF,
      }),
  );
  workers.forEach((worker) => worker.start());
  let emptyLooks = 0;
  try {
    // Two empty looks in a row: a stage hands its output to the next queue before it acknowledges,
    // so "all empty" cannot be seen between the two.
    while (Date.now() - started < options.timeoutMs && emptyLooks < 2) {
      await sleep(options.pollMs ?? 100);
      emptyLooks = (await waiting(stages)) === 0 ? emptyLooks + 1 : 0;
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
  const result: DrainResult = { drained: emptyLooks >= 2, durationMs: Date.now() - started, stages: {} };
  for (const [index, { stage, queue }] of stages.entries()) {
    const depth = await queue.depth();
    result.stages[stage] = {
      left: depth.visible + depth.inFlight,
      newlyDead: Math.max(0, depth.dead - deadBefore[index]!),
    };
  }
  return result;
}

async function waiting(stages: DrainStage[]): Promise<number> {
  const depths = await Promise.all(stages.map(({ queue }) => queue.depth()));
  return depths.reduce((sum, depth) => sum + depth.visible + depth.inFlight, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
