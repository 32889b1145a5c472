import type { DeadLetter } from '../../shared/ports';
import { messageEnvelope } from '../../shared/messages/messageEnvelope';

/** One line of `dif dlq list`. */
export interface DeadLetterView {
  messageId: string;
  runId?: string;
  itemId?: string;
  /** `client/source/stream/partition`, from the message body. */
  label?: string;
  /** The last error a consumer recorded, when the queue keeps one. */
  error?: string;
  receiveCount: number;
  sentAt: string;
  deadAt: string;
  /** now − sentAt: how long the data has been waiting. */
  ageMs: number;
}

/**
 * What a person needs to decide about a dead letter, read leniently from its body: a message
 * that is not even JSON still lists, with only its id, error and counts.
 *
 * @example
 * (await queues.load.listDeadLetters()).map((letter) => describeDeadLetter(letter, new Date()));
 */
export function describeDeadLetter(letter: DeadLetter, now: Date): DeadLetterView {
  const envelope = messageEnvelope(letter.body);
  const identity = [envelope.client, envelope.source, envelope.stream, envelope.partition];
  const label = envelope.label ?? (identity.every(Boolean) ? identity.join('/') : undefined);
  return {
    messageId: letter.id,
    ...optional('runId', envelope.runId),
    ...optional('itemId', envelope.itemId),
    ...optional('label', label),
    ...optional('error', letter.lastError),
    receiveCount: letter.receiveCount,
    sentAt: letter.sentAt.toISOString(),
    deadAt: letter.deadAt.toISOString(),
    ageMs: Math.max(0, now.getTime() - letter.sentAt.getTime()),
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
