import type { Queue } from '../../shared/ports';
import {
  consumeMessage,
  DeadLetterNowError,
  RetryLaterError,
  type QueueStage,
  type StageHandler,
} from '../../shared/runtime/consumeMessage';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { logger } from '../../shared/log';
import { redeliveryDelaySeconds, type RedeliveryBackoff } from '../../shared/runtime/redeliveryDelay';

export interface QueueWorkerOptions {
  /** Messages handled at once (the local stand-in for the Lambda event-source concurrency). */
  concurrency: number;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** Delays before a failed message becomes visible again (exponential, by its receive count). */
  backoff: RedeliveryBackoff;
}

/**
 * Drains one local queue with in-process consumers, applying the same consumer policy as the
 * Lambda SQS handlers (shared/runtime/consumeMessage.ts).
 */
export class QueueWorker {
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly ctx: ServiceContext,
    private readonly stage: QueueStage,
    private readonly queue: Queue,
    private readonly handler: StageHandler,
    private readonly options: QueueWorkerOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
  }

  /** Stops taking new messages and waits for the ones in hand. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const [message] = await this.queue.receive({
        maxMessages: 1,
        // Short: stop() waits for this poll to end (0.2 s made every local run 0.2 s longer), and a
        // message sent in this process wakes the poll at once, whatever its length.
        waitSeconds: 0.05,
        visibilityTimeoutSeconds: this.options.visibilityTimeoutSeconds,
      });
      if (!message) continue;
      const delivery = { id: message.id, body: message.body, receiveCount: message.receiveCount };
      try {
        await consumeMessage(this.ctx, this.stage, delivery, this.handler, {
          maxReceiveCount: this.options.maxReceiveCount,
        });
        await this.queue.ack(message.receiptHandle);
      } catch (error) {
        if (error instanceof DeadLetterNowError) {
          await this.queue.deadLetter(message, error.reason);
          continue;
        }
        if (!(error instanceof RetryLaterError))
          logger.error('queue consumer crashed', { stage: this.stage, error: String(error) });
        const reason = error instanceof Error ? error.message : String(error);
        await this.queue.release(message.receiptHandle, {
          delaySeconds: redeliveryDelaySeconds(message.receiveCount, this.options.backoff),
          error: reason,
        });
      }
    }
  }
}
