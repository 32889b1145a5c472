/** How a failed queue message waits before its next delivery. */
export interface RedeliveryBackoff {
  /** Delay after the first failed delivery, in seconds; doubles with each further failure. */
  baseSeconds: number;
  /** Longest single delay, in seconds. */
  maxSeconds: number;
}

/**
 * The local queue workers' backoff: 4, 8, 16, 32 s after deliveries 1–4, so with the default
 * maxReceiveCount of 5 a message is retried over 60 s before it is dead-lettered — a database
 * restart or a 30 s outage no longer uses up every attempt in seconds. (Lambda's SQS consumers
 * use 30 s doubling up to 15 min, see queueStageHandler.)
 */
export const LOCAL_REDELIVERY_BACKOFF: RedeliveryBackoff = { baseSeconds: 4, maxSeconds: 60 };

/**
 * The delay before the next delivery of a message that failed on its `receiveCount`-th
 * delivery: exponential, `base × 2^(receiveCount-1)`, capped at `maxSeconds`.
 *
 * @example
 * redeliveryDelaySeconds(1, LOCAL_REDELIVERY_BACKOFF); // 4
 * redeliveryDelaySeconds(4, LOCAL_REDELIVERY_BACKOFF); // 32
 */
export function redeliveryDelaySeconds(receiveCount: number, backoff: RedeliveryBackoff): number {
  const exponent = Math.max(0, Math.floor(receiveCount) - 1);
  return Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** exponent);
}
