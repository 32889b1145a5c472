/** A record the decoder could read as text but not as a record; it is quarantined, not fatal. */
export class DecodeFailure {
  constructor(
    /** Why, with its location, e.g. `line 12: not valid JSON (Unexpected token)`. */
    readonly reason: string,
    /** The offending text, cut to a readable length. */
    readonly raw: string,
  ) {}
}

/** Records decoded from one chunk of input: plain values, or {@link DecodeFailure}s in place. */
export type DecodedBatch = unknown[];

/** The caps every decoder honours (from the stream's `format`). */
export interface DecodeLimits {
  maxRecordBytes: number;
  maxDepth: number;
}

/** Longest excerpt of a bad record kept in quarantine and error messages. */
export const EXCERPT_CHARS = 2000;

export function excerpt(text: string): string {
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

/** Human size for messages: 16777216 → "16 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${+(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
