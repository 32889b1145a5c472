import { isUtf8 } from 'node:buffer';
import { DecodeError } from '../errors';

/**
 * Bytes decoded at a time by default. Smaller chunks mean fewer records alive at once: on 1M-row
 * inputs CSV ran 22% faster on 16 KiB chunks than on 64 KiB ones (and 1 MiB chunks were ~30%
 * slower still), so larger reads are cut down. XML, whose scanner has a cost per chunk, passes
 * its own size.
 */
export const TEXT_CHUNK_BYTES = 16 * 1024;

/**
 * Turns UTF-8 byte chunks into text chunks, never splitting a character between chunks and
 * dropping a leading byte-order mark. With `encodingErrors: 'fail'` an invalid byte sequence
 * fails the item naming the byte range; with `'replace'` it becomes U+FFFD.
 *
 * Validation is done apart from decoding: on Node 20 a fatal TextDecoder runs at ~155 MB/s,
 * while `isUtf8` (simdutf) checks at GB/s and a non-fatal decoder turns text at ~370 MB/s.
 */
export async function* decodeText(
  bytes: AsyncIterable<Buffer>,
  where: string,
  encodingErrors: 'fail' | 'replace',
  chunkBytes = TEXT_CHUNK_BYTES,
): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  const validator = encodingErrors === 'fail' ? new Utf8Validator(where) : undefined;
  for await (const received of bytes) {
    // Large reads are decoded in slices: every later stage works best on small batches.
    for (let at = 0; at < received.length; at += chunkBytes) {
      const chunk = received.length <= chunkBytes ? received : received.subarray(at, at + chunkBytes);
      validator?.check(chunk);
      const text = decoder.decode(chunk, { stream: true });
      if (text.length > 0) yield text;
    }
  }
  validator?.end();
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}

/**
 * Checks a byte stream chunk by chunk. A character cut by a chunk boundary is checked once
 * whole: its first bytes wait in `pending` for the rest from the next chunk.
 */
const NOTHING_PENDING = Buffer.alloc(0);

class Utf8Validator {
  private pending: Buffer = NOTHING_PENDING;
  private offset = 0;

  constructor(private readonly where: string) {}

  check(chunk: Buffer): void {
    let start = 0;
    if (this.pending.length > 0) {
      const needed = Math.min(sequenceLength(this.pending[0]!) - this.pending.length, chunk.length);
      const joined = Buffer.concat([this.pending, chunk.subarray(0, needed)]);
      start = needed;
      if (joined.length < sequenceLength(joined[0]!)) {
        this.pending = joined;
        this.offset += chunk.length;
        return;
      }
      if (!isUtf8(joined)) throw invalidUtf8(this.where, this.offset - this.pending.length, this.offset + needed);
      this.pending = NOTHING_PENDING;
    }
    const end = chunk.length - incompleteTail(chunk, start);
    if (!isUtf8(chunk.subarray(start, end))) throw invalidUtf8(this.where, this.offset, this.offset + chunk.length);
    // Copied: the chunk's memory may be reused by the stream that produced it.
    this.pending = end === chunk.length ? NOTHING_PENDING : Buffer.from(chunk.subarray(end));
    this.offset += chunk.length;
  }

  /** A character still waiting at the end was cut short: the payload is truncated. */
  end(): void {
    if (this.pending.length > 0) throw invalidUtf8(this.where, this.offset - this.pending.length, this.offset);
  }
}

/** Bytes of the sequence a lead byte starts; 1 for anything that is not a multi-byte lead. */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  return lead >= 0xc0 ? 2 : 1;
}

/** How many bytes at the end of `chunk` (after `from`) begin a character the chunk does not finish. */
function incompleteTail(chunk: Buffer, from: number): number {
  for (let back = 1; back <= 3 && chunk.length - back >= from; back++) {
    const byte = chunk[chunk.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    return sequenceLength(byte) > back ? back : 0;
  }
  return 0;
}

function invalidUtf8(where: string, from: number, to: number): DecodeError {
  return new DecodeError(
    where,
    `bytes ${from}–${to} are not valid UTF-8`,
    'Ask the API for UTF-8, or set format.encoding_errors: replace to load the rest with U+FFFD in place of the bad bytes',
  );
}
