import type { Readable } from 'node:stream';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Re-cuts a CSV byte stream into chunks of about `targetBytes` that each end on a record
 * boundary (a newline outside quotes), so each chunk can be COPYed on its own. Quoted fields may
 * hold newlines; RFC 4180 doubled quotes toggle the quote state twice, so counting works.
 *
 * @example
 * for await (const chunk of csvRecordChunks(stream, 8 << 20)) await copy(chunk);
 */
export async function* csvRecordChunks(csv: Readable, targetBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let inQuotes = false;
  // Byte offset (in the concatenation of `pending`) just after the last record end seen.
  let lastBoundary = 0;
  for await (const data of csv) {
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as string);
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === QUOTE) inQuotes = !inQuotes;
      else if (byte === NEWLINE && !inQuotes) lastBoundary = pendingBytes + i + 1;
    }
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= targetBytes && lastBoundary > 0) {
      const all = Buffer.concat(pending, pendingBytes);
      yield all.subarray(0, lastBoundary);
      const rest = all.subarray(lastBoundary);
      pending = rest.length > 0 ? [Buffer.from(rest)] : [];
      pendingBytes = rest.length;
      lastBoundary = 0;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
