import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import type { ByteRange } from './lineAlignedRanges';

/** Where a CSV object may be cut: its data's start and the ranges of whole rows after it. */
export interface CsvCuts {
  /** Offset of the first data row: the skipped lines and the header before it are carried by every range. */
  dataStart: number;
  ranges: ByteRange[];
}

/**
 * Cuts a CSV object into ranges of about `rangeBytes` of whole rows. A quoted field may hold line
 * breaks, so a line end is a row end only when an even number of quote characters precede it;
 * that takes one sequential read of the object, counting quotes (fast next to decoding it). The
 * first `skipLines` lines and the header are not in any range: {@link CsvCuts.dataStart} says
 * where the data starts. A quote that stays open to the end leaves the rest as one range.
 *
 * @example
 * const { dataStart, ranges } = await quoteAwareRanges(store, key, size, 256 * 2 ** 20, 0, '"');
 */
export async function quoteAwareRanges(
  store: ObjectStore,
  key: string,
  size: number,
  rangeBytes: number,
  skipLines: number,
  quote: string,
): Promise<CsvCuts> {
  const q = quote.charCodeAt(0);
  let open = false;
  let linesLeft = skipLines + 1;
  let dataStart = size;
  const cuts: number[] = [];
  let need = Number.POSITIVE_INFINITY;
  let offset = 0;
  for await (const chunk of await store.getRange(key, 0, size)) {
    const bytes = chunk as Buffer;
    let i = 0;
    while (i < bytes.length) {
      if (linesLeft === 0 && offset + i < need) {
        // Far from the next cut: only the quote count matters.
        const limit = Math.min(bytes.length, need - offset);
        for (let at = bytes.indexOf(q, i); at >= 0 && at < limit; at = bytes.indexOf(q, at + 1)) open = !open;
        i = limit;
        continue;
      }
      const newline = bytes.indexOf(0x0a, i);
      const quoteAt = bytes.indexOf(q, i);
      if (quoteAt >= 0 && (newline < 0 || quoteAt < newline)) {
        open = !open;
        i = quoteAt + 1;
        continue;
      }
      if (newline < 0) break;
      i = newline + 1;
      if (open) continue;
      const at = offset + i;
      if (linesLeft > 0) {
        linesLeft--;
        if (linesLeft > 0) continue;
        dataStart = at;
      } else if (at < size) cuts.push(at);
      need = at + rangeBytes;
    }
    offset += bytes.length;
  }
  const starts = dataStart < size ? [dataStart, ...cuts] : [];
  return { dataStart, ranges: starts.map((start, index) => ({ index, start, end: starts[index + 1] ?? size })) };
}
