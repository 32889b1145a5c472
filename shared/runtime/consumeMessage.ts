import type { ServiceContext } from './ServiceContext';
import type { QueueDelivery } from './QueueDelivery';
import { isPermanent } from './errors';
import { logger, redact, withLogKeys } from '../log';
import { StaleTaskTokenError } from '../ports';
import { messageEnvelope, type MessageEnvelope } from '../messages/messageEnvelope';
import { stepFunctionsErrorName } from './stepFunctionsError';
import { itemProgress } from '../runState/itemProgress';

export type QueueStage = 'transform' | 'load';
export type StageHandler = (ctx: ServiceContext, delivery: QueueDelivery) => Promise<void>;

export interface ConsumeOptions {
  /** The queue's redrive maxReceiveCount: the delivery with this count is the last one. */
  maxReceiveCount: number;
}

const REPLAY_HINT =
  ' (locally add --drain to deliver it at once; on AWS the deployed functions pick it up, or redrive the DLQ in the SQS console)';

/** Thrown by {@link consumeMessage} when the message must be redelivered. */
export class RetryLaterError extends Error {
  constructor(
    readonly stage: QueueStage,
    message: string,
    readonly lastAttempt: boolean,
  ) {
    super(message);
    this.name = 'RetryLaterError';
  }
}

/**
 * Thrown by {@link consumeMessage} when the message must go to the dead-letter queue now (a
 * permanent failure): the caller moves it there with `queue.deadLetter(message, error.cause)`, so
 * that `dif dlq replay` can deliver it once the cause is fixed. It is never deleted.
 */
export class DeadLetterNowError extends Error {
  constructor(
    readonly stage: QueueStage,
    /** `{Stage}.{Code}: what happened and what to do`, as the item's error in run state. */
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DeadLetterNowError';
  }
}

/**
 * The one queue-consumer policy, shared by the local runtime and the Lambda entry points:
 * - success → resolves (the caller deletes the message);
 * - a {@link PermanentError} → the item's task token fails now, the item is marked failed, and
 *   it throws {@link DeadLetterNowError}: redelivery could not help, so the caller moves the
 *   message to the DLQ with the cause (never deletes it);
 * - any other error → throws {@link RetryLaterError} (the caller leaves the message for
 *   redelivery); on the last allowed receive the token fails first, with a cause that says the
 *   message is in the DLQ and how to replay it.
 *
 * @example
 * try {
 *   await consumeMessage(ctx, 'load', delivery, load, { maxReceiveCount: 5 });
 *   await queue.ack(message.receiptHandle);
 * } catch (error) {
 *   if (error instanceof DeadLetterNowError) await queue.deadLetter(message, error.reason);
 *   else await queue.release(message.receiptHandle, { error: String(error) });
 * }
 */
export async function consumeMessage(
  ctx: ServiceContext,
  stage: QueueStage,
  delivery: QueueDelivery,
  handler: StageHandler,
  options: ConsumeOptions,
): Promise<void> {
  const envelope = messageEnvelope(delivery.body);
  await withLogKeys({ runId: envelope.runId, itemId: envelope.itemId, stage }, () =>
    handleOrDeadLetter(ctx, stage, delivery, handler, options, envelope),
  );
}

async function handleOrDeadLetter(
  ctx: ServiceContext,
  stage: QueueStage,
  delivery: QueueDelivery,
  handler: StageHandler,
  options: ConsumeOptions,
  envelope: MessageEnvelope,
): Promise<void> {
  try {
    await handler(ctx, delivery);
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error));
    if (isPermanent(error)) {
      const name = stepFunctionsErrorName(capitalize(stage), error);
      const cause = `${message} — the message is in the ${stage} dead-letter queue; once fixed, replay it with \`dif dlq replay --stage ${stage}\`${REPLAY_HINT}`;
      logger.error(`${stage} failed permanently; moving the message to the dead-letter queue`, {
        error: message,
        code: name,
      });
      await failItem(ctx, envelope, name, cause);
      throw new DeadLetterNowError(stage, `${name}: ${cause}`);
    }
    const last = delivery.receiveCount >= options.maxReceiveCount;
    logger.warn(`${stage} failed, ${last ? 'moving to the dead-letter queue' : 'will retry'}`, {
      error: message,
      receiveCount: delivery.receiveCount,
    });
    if (last) {
      const cause = `${message} — failed ${delivery.receiveCount} times; the message is in the ${stage} dead-letter queue. Fix the cause, then replay it with \`dif dlq replay --stage ${stage}\`${REPLAY_HINT}.`;
      await failItem(
        ctx,
        envelope,
        stepFunctionsErrorName(capitalize(stage), error, { retriesExhausted: true }),
        cause,
      );
    }
    throw new RetryLaterError(stage, message, last);
  }
}

async function failItem(ctx: ServiceContext, envelope: MessageEnvelope, error: string, cause: string): Promise<void> {
  if (envelope.runId && envelope.itemId) {
    // The envelope's identity lets the write create an item run state lost (it is created by Plan otherwise).
    await itemProgress(ctx.ports.runState, { ...envelope, runId: envelope.runId, itemId: envelope.itemId })
      .failed(`${error}: ${cause}`)
      .catch((failure: unknown) => {
        logger.error('could not record the failure in run state', { error: String(failure) });
      });
  }
  if (!envelope.taskToken) return;
  try {
    await ctx.ports.workflow.sendTaskFailure(envelope.taskToken, error, cause);
  } catch (failure) {
    if (failure instanceof StaleTaskTokenError)
      logger.info('task token already closed; the execution has ended', { error });
    else throw failure;
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
