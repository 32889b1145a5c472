import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetter, Queue, QueueName, ReceiveOptions, ReceivedMessage } from '../../ports';

/** Message attribute carrying DIF's own id, so the id survives DLQ moves and manual redrives. */
export const MESSAGE_ID_ATTRIBUTE = 'dif-id';
/**
 * Attributes a consumer that dead-letters a message itself (rather than leaving it to the redrive
 * policy) sets on the DLQ copy: why, and the receive count it died at. SQS keeps neither.
 */
export const DEAD_ERROR_ATTRIBUTE = 'dif-error';
export const DEAD_RECEIVE_COUNT_ATTRIBUTE = 'dif-receive-count';
/** Longest cause kept on a dead letter: attributes count towards SQS's 256 KiB message limit. */
const MAX_CAUSE_CHARS = 4000;

export interface SqsQueueOptions {
  client: SQSClient;
  name: QueueName;
  queueUrl: string;
  deadLetterQueueUrl: string;
  /** How long a dead letter stays hidden while {@link SqsQueue.listDeadLetters} pages through the DLQ. */
  listVisibilitySeconds?: number;
  /** Stops listing after this many dead letters, so a flooded DLQ cannot exhaust memory. */
  maxDeadLettersListed?: number;
}

const SQS_MAX_BATCH = 10;

/**
 * A stage queue on SQS with its dead-letter queue. The redrive policy (maxReceiveCount) lives on
 * the queue itself (serverless.yml), so SQS moves a message to the DLQ after its last receive.
 *
 * @example
 * const queue = new SqsQueue({ client: new SQSClient({}), name: 'transform', queueUrl, deadLetterQueueUrl });
 * await queue.send(JSON.stringify(rawReady));
 */
export class SqsQueue implements Queue {
  readonly name: QueueName;
  private readonly client: SQSClient;
  private readonly queueUrl: string;
  private readonly deadLetterQueueUrl: string;
  private readonly listVisibilitySeconds: number;
  private readonly maxDeadLettersListed: number;
  private readonly arns = new Map<string, Promise<string>>();
  private redriveLimit: Promise<number | undefined> | undefined;

  constructor(options: SqsQueueOptions) {
    this.client = options.client;
    this.name = options.name;
    this.queueUrl = options.queueUrl;
    this.deadLetterQueueUrl = options.deadLetterQueueUrl;
    this.listVisibilitySeconds = options.listVisibilitySeconds ?? 20;
    this.maxDeadLettersListed = options.maxDeadLettersListed ?? 1000;
  }

  async send(body: string, options?: { delaySeconds?: number }): Promise<string> {
    const id = randomUUID();
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        DelaySeconds: options?.delaySeconds,
        MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } },
      }),
    );
    return id;
  }

  async receive(options?: ReceiveOptions): Promise<ReceivedMessage[]> {
    const messages = await this.receiveFrom(this.queueUrl, {
      max: options?.maxMessages ?? 1,
      visibility: options?.visibilityTimeoutSeconds,
      wait: options?.waitSeconds ?? 0,
    });
    return messages.map(toReceived);
  }

  async ack(receiptHandle: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }));
  }

  /** SQS keeps no per-message error text; the consumer logs `error` and records it in run state. */
  async release(receiptHandle: string, options?: { delaySeconds?: number; error?: string }): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: options?.delaySeconds ?? 0,
      }),
    );
  }

  /**
   * SQS has no "move this message to the DLQ" call: the message is sent to the DLQ with its DIF id
   * and the cause as attributes, then deleted from the queue. A crash between the two leaves a
   * copy in both; the copy still in the queue fails again and is dead-lettered again, and the
   * load ledger makes a double replay harmless.
   */
  async deadLetter(
    message: Pick<ReceivedMessage, 'id' | 'body' | 'receiptHandle' | 'receiveCount'>,
    cause: string,
  ): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.deadLetterQueueUrl,
        MessageBody: message.body,
        MessageAttributes: {
          [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: message.id },
          [DEAD_ERROR_ATTRIBUTE]: { DataType: 'String', StringValue: cause.slice(0, MAX_CAUSE_CHARS) || '(no cause)' },
          [DEAD_RECEIVE_COUNT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(message.receiveCount) },
        },
      }),
    );
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.receiptHandle }));
  }

  async depth(): Promise<{ visible: number; inFlight: number; dead: number }> {
    const [main, dead] = await Promise.all([this.attributes(this.queueUrl), this.attributes(this.deadLetterQueueUrl)]);
    return {
      visible: Number(main.ApproximateNumberOfMessages ?? 0),
      // The port counts delayed messages (sent or released with a delay) as in flight.
      inFlight:
        Number(main.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(main.ApproximateNumberOfMessagesDelayed ?? 0),
      dead: Number(dead.ApproximateNumberOfMessages ?? 0),
    };
  }

  /**
   * Reads the DLQ by receiving from it with a short visibility timeout, then makes every message
   * visible again. SQS has no peek: every listing is a receive and raises the message's
   * ApproximateReceiveCount. That is harmless (a DLQ has no redrive policy, and a redriven message
   * is a new message with a fresh count), but the raised count is not what a person wants to see,
   * so `receiveCount` is the count the message died at: the one recorded when it was dead-lettered
   * explicitly ({@link DEAD_RECEIVE_COUNT_ATTRIBUTE}), else the queue's redrive maxReceiveCount (SQS
   * moves a message only after exactly that many receives). SQS records no move time, so `deadAt`
   * is the first receive in the DLQ's view (or the send time when SQS does not report it).
   */
  async listDeadLetters(): Promise<DeadLetter[]> {
    const diedAfter = await this.redriveMaxReceiveCount();
    const seen = new Map<string, DeadLetter>();
    await this.drainDeadLetters((message) => {
      const received = toReceived(message);
      if (seen.has(received.id)) return false;
      const firstReceive = Number(message.Attributes?.ApproximateFirstReceiveTimestamp);
      const recorded = Number(message.MessageAttributes?.[DEAD_RECEIVE_COUNT_ATTRIBUTE]?.StringValue);
      const lastError = message.MessageAttributes?.[DEAD_ERROR_ATTRIBUTE]?.StringValue;
      seen.set(received.id, {
        id: received.id,
        body: received.body,
        receiveCount: Number.isInteger(recorded) && recorded > 0 ? recorded : (diedAfter ?? received.receiveCount),
        sentAt: received.sentAt,
        deadAt: Number.isFinite(firstReceive) && firstReceive > 0 ? new Date(firstReceive) : received.sentAt,
        ...(lastError ? { lastError } : {}),
      });
      return false;
    });
    return [...seen.values()].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  }

  /**
   * Moves dead letters back. All of them: one StartMessageMoveTask (SQS moves them in the
   * background; the count is the DLQ depth when the task started). Given ids: each is re-sent to
   * the queue with its DIF id and deleted from the DLQ.
   */
  async redrive(ids?: string[]): Promise<number> {
    if (!ids) {
      const { dead } = await this.depth();
      if (dead === 0) return 0;
      await this.client.send(
        new StartMessageMoveTaskCommand({
          SourceArn: await this.arnOf(this.deadLetterQueueUrl),
          DestinationArn: await this.arnOf(this.queueUrl),
        }),
      );
      return dead;
    }
    const wanted = new Set(ids);
    let moved = 0;
    await this.drainDeadLetters(async (message) => {
      const received = toReceived(message);
      if (!wanted.has(received.id)) return false;
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: received.body,
          MessageAttributes: { [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: received.id } },
        }),
      );
      await this.client.send(
        new DeleteMessageCommand({ QueueUrl: this.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      wanted.delete(received.id);
      moved += 1;
      return true;
    });
    return moved;
  }

  /**
   * Receives every message of the DLQ once (up to the listing cap), calling `visit` for each.
   * `visit` returns true when it consumed the message; the rest are made visible again at the end.
   */
  private async drainDeadLetters(visit: (message: Message) => boolean | Promise<boolean>): Promise<void> {
    const hidden: Message[] = [];
    try {
      let total = 0;
      while (total < this.maxDeadLettersListed) {
        // A 1 s long poll asks every SQS server, so a small DLQ is not reported empty by sampling.
        const batch = await this.receiveFrom(this.deadLetterQueueUrl, {
          max: SQS_MAX_BATCH,
          visibility: this.listVisibilitySeconds,
          wait: 1,
        });
        if (batch.length === 0) break;
        for (const message of batch) {
          total += 1;
          if (!(await visit(message))) hidden.push(message);
        }
      }
    } finally {
      await this.unhide(this.deadLetterQueueUrl, hidden);
    }
  }

  private async unhide(queueUrl: string, messages: Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += SQS_MAX_BATCH) {
      const chunk = messages.slice(start, start + SQS_MAX_BATCH);
      await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }

  private async receiveFrom(
    queueUrl: string,
    options: { max: number; visibility: number | undefined; wait: number },
  ): Promise<Message[]> {
    const response = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(Math.max(options.max, 1), SQS_MAX_BATCH),
        VisibilityTimeout: options.visibility,
        WaitTimeSeconds: options.wait,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp'],
        MessageAttributeNames: [MESSAGE_ID_ATTRIBUTE, DEAD_RECEIVE_COUNT_ATTRIBUTE, DEAD_ERROR_ATTRIBUTE],
      }),
    );
    return response.Messages ?? [];
  }

  private async attributes(queueUrl: string): Promise<Record<string, string>> {
    const response = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return response.Attributes ?? {};
  }

  /** The source queue's redrive maxReceiveCount (undefined without a redrive policy); read once. */
  private redriveMaxReceiveCount(): Promise<number | undefined> {
    this.redriveLimit ??= this.client
      .send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['RedrivePolicy'] }))
      .then((response) => {
        const policy = response?.Attributes?.RedrivePolicy;
        const limit = policy ? Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount) : NaN;
        return Number.isInteger(limit) && limit > 0 ? limit : undefined;
      })
      .catch((error: unknown) => {
        this.redriveLimit = undefined;
        throw error;
      });
    return this.redriveLimit;
  }

  private arnOf(queueUrl: string): Promise<string> {
    let arn = this.arns.get(queueUrl);
    if (!arn) {
      arn = this.client
        .send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
        .then((response) => {
          const value = response.Attributes?.QueueArn;
          if (!value)
            throw new Error(
              `SQS returned no QueueArn for ${queueUrl}; check the queue exists and the role may call sqs:GetQueueAttributes`,
            );
          return value;
        })
        .catch((error: unknown) => {
          this.arns.delete(queueUrl);
          throw error;
        });
      this.arns.set(queueUrl, arn);
    }
    return arn;
  }
}

/** Maps an SQS message to the port's shape (also used by the Lambda entry points for event records). */
export function toReceived(message: Message): ReceivedMessage {
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    id: message.MessageAttributes?.[MESSAGE_ID_ATTRIBUTE]?.StringValue ?? message.MessageId ?? '',
    body: message.Body ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    sentAt: Number.isFinite(sent) ? new Date(sent) : new Date(0),
  };
}
