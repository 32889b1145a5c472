import type { DeadLetter } from '../../shared/ports';

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

interface Envelope {
  runId?: unknown;
  itemId?: unknown;
  label?: unknown;
  client?: unknown;
  source?: unknown;
  stream?: unknown;
  partition?: unknown;
}

/**
 * What a person needs to decide about a dead letter, read leniently from its body: a message
 * that is not even JSON still lists, with only its id, error and counts.
 *
 * @example
 * (await queues.load.listDeadLetters()).map((letter) => describeDeadLetter(letter, new Date()));
 */
export function describeDeadLetter(letter: DeadLetter, now: Date): DeadLetterView {
  const envelope = parseEnvelope(letter.body);
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const identity = [envelope.client, envelope.source, envelope.stream, envelope.partition].map(text);
  const label = text(envelope.label) ?? (identity.every(Boolean) ? identity.join('/') : undefined);
  return {
    messageId: letter.id,
    ...optional('runId', text(envelope.runId)),
    ...optional('itemId', text(envelope.itemId)),
    ...optional('label', label),
    ...optional('error', letter.lastError),
    receiveCount: letter.receiveCount,
    sentAt: letter.sentAt.toISOString(),
    deadAt: letter.deadAt.toISOString(),
    ageMs: Math.max(0, now.getTime() - letter.sentAt.getTime()),
  };
}

function parseEnvelope(body: string): Envelope {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as Envelope) : {};
  } catch {
    return {};
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
