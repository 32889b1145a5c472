/** Records decoded from one chunk of input: plain values, or DecodeFailure instances in their place. */
export type DecodedBatch = unknown[];

/** The caps every decoder honours (from the stream's `format`). */
export interface DecodeLimits {
  maxRecordBytes: number;
  maxDepth: number;
}
