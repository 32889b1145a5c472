/** The pipeline's stages that talk through queues. Each has a dead-letter queue. */
export type QueueName = 'transform' | 'load';

export interface ReceivedMessage {
  /** Stable id of the message, kept across redeliveries and DLQ replays. */
  id: string;
  body: string;
  /** Opaque handle for {@link Queue.ack}/{@link Queue.release} of this delivery. */
  receiptHandle: string;
  /** How many times the message has been received, this delivery included (1 on first). */
  receiveCount: number;
  sentAt: Date;
}

export interface DeadLetter {
  id: string;
  body: string;
  receiveCount: number;
  sentAt: Date;
  /** When it was moved to the dead-letter queue. */
  deadAt: Date;
  /** The last error recorded by a consumer, when the adapter keeps one. */
  lastError?: string;
}

export interface ReceiveOptions {
  maxMessages?: number;
  /** How long a received message stays invisible to other consumers. */
  visibilityTimeoutSeconds?: number;
  /** Long-poll: wait up to this long for a message when the queue is empty. */
  waitSeconds?: number;
}

/**
 * At-least-once message queue with visibility timeout, receive count and a dead-letter queue
 * (a message received more than `maxReceiveCount` times is moved there instead of delivered).
 *
 * Adapters: `SqliteQueue` (local), `SqsQueue` (aws).
 */
export interface Queue {
  readonly name: QueueName;
  send(body: string, options?: { delaySeconds?: number }): Promise<string>;
  receive(options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Deletes a delivered message: processing succeeded. */
  ack(receiptHandle: string): Promise<void>;
  /** Makes a delivered message visible again after `delaySeconds` (a retry), recording why. */
  release(receiptHandle: string, options?: { delaySeconds?: number; error?: string }): Promise<void>;
  /**
   * Moves a delivered message to the dead-letter queue now, with the cause of its failure (kept
   * as the dead letter's `lastError`), so `dif dlq replay` can deliver it again once the cause is
   * fixed. Used for permanent failures, which must never be deleted.
   */
  deadLetter(
    message: Pick<ReceivedMessage, 'id' | 'body' | 'receiptHandle' | 'receiveCount'>,
    cause: string,
  ): Promise<void>;
  /**
   * Messages waiting (visible or in flight), for progress and tests. A message sent or released
   * with a delay counts as in flight until it becomes visible (SQS: NotVisible + Delayed), so
   * `visible + inFlight === 0` means the queue is drained.
   */
  depth(): Promise<{ visible: number; inFlight: number; dead: number }>;
  listDeadLetters(): Promise<DeadLetter[]>;
  /** Moves dead letters (all, or the given ids) back to the queue; returns how many moved. */
  redrive(ids?: string[]): Promise<number>;
}
