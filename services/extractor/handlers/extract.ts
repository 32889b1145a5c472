import { logger } from '../../../shared/log/logger';
import { redact } from '../../../shared/log/secretRedactor';
import type { RawReady } from '../../../shared/messages/rawReady';
import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import type { AsyncJobState } from '../asyncjob/asyncJobState';
import { itemProgress } from '../../../shared/runState/itemProgress';
import { extractItem, type ExtractOptions, type ExtractResult } from '../extractItem';

const HEARTBEAT_MS = 5 * 60_000;

export interface ExtractInput {
  item: WorkItem;
  /** The Map item's task token; it travels to the transformer and loader. */
  taskToken: string;
  /** For async items: the job PollJob reported ready. */
  job?: unknown;
}

export interface ExtractOutput {
  itemId: string;
  raw: ExtractResult['raw'];
}

/**
 * The Extract state: extracts one item to `raw/…`, records progress in run state and sends a
 * RawReady to the transform queue. On failure the item is marked failed with a readable error
 * and the error is rethrown for the state machine's Retry/Catch.
 *
 * @example
 * await extract(ctx, { item, taskToken });
 */
export async function extract(
  ctx: ServiceContext,
  input: ExtractInput,
  options: ExtractOptions = {},
): Promise<ExtractOutput> {
  const { item, taskToken } = input;
  const progress = itemProgress(ctx.ports.runState, item);
  await progress.attemptStarted();
  logger.info('extracting', { runId: item.runId, itemId: item.itemId, label: item.label });
  let result: ExtractResult;
  // A long extraction keeps its task alive: the ASL's HeartbeatSeconds would otherwise fail it.
  const heartbeat = setInterval(() => {
    Promise.resolve()
      .then(() => ctx.ports.workflow.sendTaskHeartbeat(taskToken))
      .catch((error: unknown) =>
        logger.warn('heartbeat not delivered', {
          runId: item.runId,
          itemId: item.itemId,
          error: redact(String(error)),
        }),
      );
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  try {
    result = await extractItem(ctx, item, input.job as AsyncJobState | undefined, options);
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    await progress.failed(message);
    logger.error('extraction failed', { runId: item.runId, itemId: item.itemId, error: message });
    // Run state shows the item beside its error; the state machine's Cause needs the label inside.
    if (error instanceof Error) error.message = `${item.label}: ${message}`;
    throw error;
  } finally {
    clearInterval(heartbeat);
  }
  await progress.extracted({ pages: result.raw.pages, rawBytes: result.raw.bytes });
  const message: RawReady = {
    ...item,
    kind: 'raw-ready',
    taskToken,
    raw: result.raw,
    extractedAt: ctx.now().toISOString(),
    ...(result.cursor !== undefined ? { cursor: result.cursor } : {}),
  };
  await ctx.ports.queues.transform.send(JSON.stringify(message));
  logger.info('extracted', {
    runId: item.runId,
    itemId: item.itemId,
    pages: result.raw.pages,
    bytes: result.raw.bytes,
  });
  return { itemId: item.itemId, raw: result.raw };
}
