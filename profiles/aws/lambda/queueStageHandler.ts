import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger } from '../../../shared/log';
import {
  consumeMessage,
  DeadLetterNowError,
  RetryLaterError,
  type QueueStage,
  type StageHandler,
} from '../../../shared/runtime/consumeMessage';
import { redeliveryDelaySeconds } from '../../../shared/runtime/redeliveryDelay';
import type { QueueDelivery } from '../../../shared/runtime/QueueDelivery';
import { MESSAGE_ID_ATTRIBUTE } from '../../../shared/adapters/aws/SqsQueue';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../awsSettings';
import { lambdaServiceContext } from './lambdaContext';
import { metrics } from './telemetry';
import { recordStageMetrics } from './stageMetrics';
import { messageEnvelope } from '../../../shared/messages/messageEnvelope';
import type { LambdaContext, SqsBatchResponse, SqsEvent, SqsRecord } from './types';

export interface QueueStageOptions {
  /** The queue's redrive maxReceiveCount; else the aws settings' (serverless.yml's DIF_MAX_RECEIVE_COUNT). */
  maxReceiveCount?: number;
  /** Delay before the n-th redelivery: base × 2^(n-1), capped. Seconds. */
  retryBaseSeconds?: number;
  retryMaxSeconds?: number;
}

/** The port's view of one SQS record. */
export function deliveryOf(record: SqsRecord): QueueDelivery {
  return {
    id: record.messageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.stringValue ?? record.messageId,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? 1),
  };
}

/**
 * Wraps a queue stage handler as an SQS-triggered Lambda with partial batch responses
 * (`ReportBatchItemFailures`): each record goes through {@link consumeMessage} (the shared
 * retry/DLQ policy); a record to retry is made visible again after an exponential backoff instead
 * of waiting out the whole visibility timeout (30 s doubling, capped at 15 min: with
 * maxReceiveCount 5 a message is retried over 7.5 min before SQS dead-letters it), and reported as
 * failed. A permanent failure is sent to the DLQ with its cause (never deleted).
 *
 * @example
 * export const handler = queueStageHandler('transform', transform);
 */
export function queueStageHandler(stage: QueueStage, handler: StageHandler, options: QueueStageOptions = {}) {
  const base = options.retryBaseSeconds ?? 30;
  const cap = options.retryMaxSeconds ?? 900;
  const processor = new BatchProcessor(EventType.SQS);

  async function processRecord(record: SqsRecord): Promise<void> {
    const ctx = await lambdaServiceContext();
    const maxReceiveCount = options.maxReceiveCount ?? ctx.settings?.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    const delivery = deliveryOf(record);
    const started = Date.now();
    try {
      await consumeMessage(ctx, stage, delivery, handler, { maxReceiveCount });
    } catch (error) {
      if (error instanceof DeadLetterNowError) {
        // Sent to the DLQ with its cause and deleted from the queue: the record is done here.
        await ctx.ports.queues[stage].deadLetter({ ...delivery, receiptHandle: record.receiptHandle }, error.reason);
        metrics.addMetric('MessagesDeadLettered', MetricUnit.Count, 1);
        return;
      }
      metrics.addMetric('MessagesRetried', MetricUnit.Count, 1);
      if (error instanceof RetryLaterError && !error.lastAttempt) {
        const delaySeconds = redeliveryDelaySeconds(delivery.receiveCount, { baseSeconds: base, maxSeconds: cap });
        await ctx.ports.queues[stage]
          .release(record.receiptHandle, { delaySeconds, error: error.message })
          .catch((failure: unknown) => {
            logger.warn('could not shorten the retry delay; the message reappears after the visibility timeout', {
              error: String(failure),
            });
          });
      }
      throw error;
    }
    metrics.addMetric('MessagesProcessed', MetricUnit.Count, 1);
    const envelope = messageEnvelope(record.body);
    await recordStageMetrics(ctx, stage, envelope, Date.now() - started);
    const client = envelope.client;
    if (stage === 'load' && client) {
      // Per-client metric behind the data-freshness alarms (serverless.yml, one per client SLA).
      const single = metrics.singleMetric();
      single.addDimension('client', client);
      single.addMetric('ItemsLoaded', MetricUnit.Count, 1);
    }
  }

  return middy(
    async (event: SqsEvent, context: LambdaContext): Promise<SqsBatchResponse> =>
      // Every record failing is a normal outcome here (each is retried or dead-lettered on its own).
      // `as never`: Powertools types `context` with the aws-lambda package, which is not installed.
      processPartialResponse(event, processRecord, processor, {
        context: context as never,
        throwOnFullBatchFailure: false,
      }) as Promise<SqsBatchResponse>,
  )
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
