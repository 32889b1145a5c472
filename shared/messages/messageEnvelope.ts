/**
 * The routing fields every pipeline message carries, read leniently: a body that is not JSON, or
 * not one of our messages, still yields what it has, so it can be routed, reported or listed.
 */
export interface MessageEnvelope {
  runId?: string;
  itemId?: string;
  taskToken?: string;
  label?: string;
  client?: string;
  source?: string;
  stream?: string;
  partition?: string;
}

const FIELDS = ['runId', 'itemId', 'taskToken', 'label', 'client', 'source', 'stream', 'partition'] as const;

/** Reads the {@link MessageEnvelope} of a queue message body; never throws. */
export function messageEnvelope(body: string): MessageEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const record = parsed as Record<string, unknown>;
  const envelope: MessageEnvelope = {};
  for (const field of FIELDS) {
    const value = record[field];
    if (typeof value === 'string' && value !== '') envelope[field] = value;
  }
  return envelope;
}
