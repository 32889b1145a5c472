import { BodyLimitError } from '../errors';

/**
 * The bytes one work item may still write to the raw lake (`limits.max_bytes`), shared by all
 * its pages. Counting happens as bytes pass, so a body over the cap fails before it is stored.
 *
 * @example
 * const budget = new ByteBudget(8 * 1024 ** 3);
 * budget.take(chunk.length, url); // throws BodyLimitError past the cap
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  take(bytes: number, url: string): void {
    this.used += bytes;
    if (this.used > this.maxBytes)
      throw new BodyLimitError(
        url,
        `the work item's bodies passed limits.max_bytes (${this.maxBytes} bytes)`,
        'Nothing above the cap was stored. Narrow the partition (a shorter date slice), or raise limits.max_bytes for this stream if the data really is that large',
      );
  }

  /** Gives back the bytes of an attempt that failed: nothing of it was stored, its retry is charged anew. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get bytes(): number {
    return this.used;
  }
}
