import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import { PermanentError } from '../../../shared/runtime/errors';

/** One slice of a raw object: whole lines only, `start` inclusive, `end` exclusive. */
export interface ByteRange {
  index: number;
  start: number;
  end: number;
}

/** How far past a nominal boundary a line may run before the object is refused as one huge line. */
const WINDOW_BYTES = 64 * 1024;

/** No line end within `maxLineBytes` of a boundary: the object is not line-delimited data. */
export class UnsplittableObjectError extends PermanentError {
  constructor(key: string, at: number, maxLineBytes: number) {
    super(
      'Transform.UnsplittableObject',
      `raw object ${key} has no line end within ${maxLineBytes} bytes after byte ${at}, so it cannot be transformed as line-aligned ranges; check the stream's format (JSON lines and CSV have one record per line), or raise format.max_record_bytes`,
    );
    this.name = 'UnsplittableObjectError';
  }
}

/** Bytes `start` to `end` of an object, in memory (a few KiB around a cut, a header). */
export async function readByteRange(store: ObjectStore, key: string, start: number, end: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.getRange(key, start, end)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The offset just after the first `\n` at or after `from`, or `size` when none is left. */
async function nextLineStart(store: ObjectStore, key: string, from: number, size: number, maxLineBytes: number) {
  for (let at = from; at < size && at - from <= maxLineBytes; at += WINDOW_BYTES) {
    const window = await readByteRange(store, key, at, Math.min(size, at + WINDOW_BYTES));
    const newline = window.indexOf(0x0a);
    if (newline >= 0) return at + newline + 1;
  }
  if (from + maxLineBytes < size) throw new UnsplittableObjectError(key, from, maxLineBytes);
  return size;
}

/**
 * Cuts a raw object of `size` bytes into ranges of about `rangeBytes`, each ending just after a
 * line end, so every range holds whole JSON lines (a JSON text holds no raw line break). Only a
 * few KiB around each cut are read. CSV rows may hold quoted line breaks: see quoteAwareRanges.
 *
 * @example
 * const ranges = await lineAlignedRanges(store, key, size, 256 * 2 ** 20, 1 * 2 ** 20);
 * // [{ index: 0, start: 0, end: 268435512 }, { index: 1, start: 268435512, end: … }, …]
 */
export async function lineAlignedRanges(
  store: ObjectStore,
  key: string,
  size: number,
  rangeBytes: number,
  maxLineBytes: number,
): Promise<ByteRange[]> {
  const cuts = [0];
  // Each range is measured from the previous cut; a cut right after a line end stays there
  // (the line end is looked for from the byte before the nominal cut).
  for (let cut = 0; cut + rangeBytes < size;) {
    cut = await nextLineStart(store, key, cut + rangeBytes - 1, size, maxLineBytes);
    if (cut < size) cuts.push(cut);
  }
  return cuts.map((start, index) => ({ index, start, end: cuts[index + 1] ?? size }));
}
