/** One delivery of a queue message to a stage handler, independent of SQS or the local queue. */
export interface QueueDelivery {
  id: string;
  body: string;
  /** 1 on first delivery; the consumer sends the message to the DLQ after the configured maximum. */
  receiveCount: number;
}
