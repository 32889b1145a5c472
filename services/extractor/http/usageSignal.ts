import type { IncomingHttpHeaders } from 'node:http';

/** How to read an API's quota-usage header and how much to slow down when it runs high. */
export interface UsageSignal {
  header: string;
  /** Field inside a JSON header value (e.g. `call_count` of Meta's x-app-usage). */
  field?: string;
  /** Header value that means the quota is used up. */
  fullAt: number;
  threshold: number;
  factor: number;
  forMs: number;
}

/** The fraction of the quota a response reports as used, or undefined when it reports none. */
export function usedFraction(headers: IncomingHttpHeaders, usage: UsageSignal): number | undefined {
  const raw = headers[usage.header.toLowerCase()];
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined) return undefined;
  let value: unknown = text;
  if (usage.field) {
    try {
      value = (JSON.parse(text) as Record<string, unknown>)[usage.field];
    } catch {
      return undefined;
    }
  }
  const number = Number(value);
  return Number.isFinite(number) ? number / usage.fullAt : undefined;
}
