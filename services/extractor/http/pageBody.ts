import { Readable } from 'node:stream';
import { BadResponseError } from '../errors';
import type { OpenResponse } from './types';

/** Compression recognised from the first bytes, whatever the Content-Type says. */
export type Sniffed = 'gzip' | 'zip' | undefined;

export function sniffCompression(head: Buffer): Sniffed {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'zip';
  return undefined;
}

/** Figures about a body, filled in while it streams. */
export interface BodyTally {
  bytes: number;
  newlines: number;
  /** Last byte seen, to count a final line without a trailing newline. */
  lastByte?: number;
  sniffed: Sniffed;
}

/** Lines in a text body (a last line without a newline counts). */
export function lineCount(tally: BodyTally): number {
  return tally.newlines + (tally.lastByte !== undefined && tally.lastByte !== 10 ? 1 : 0);
}

/**
 * The body as a stream that counts bytes and newlines as they pass and fails with a retryable
 * {@link BadResponseError} when fewer bytes arrive than Content-Length promised. Resolves once
 * the first chunk is in, so the caller can pick the object key from the sniffed compression.
 */
export async function meteredBody(response: OpenResponse): Promise<{ stream: Readable; tally: BodyTally }> {
  const iterator = response.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const tally: BodyTally = { bytes: 0, newlines: 0, sniffed: first.done ? undefined : sniffCompression(first.value) };
  const declared = response.headers['content-encoding'] ? undefined : Number(response.headers['content-length'] ?? NaN);
  const count = (chunk: Buffer): Buffer => {
    tally.bytes += chunk.length;
    if (chunk.length > 0) tally.lastByte = chunk[chunk.length - 1];
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) tally.newlines++;
    return chunk;
  };
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      if (!first.done) yield count(first.value);
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield count(next.value);
    } catch (error) {
      throw new BadResponseError(
        response.url,
        `the connection broke after ${tally.bytes} bytes (${(error as Error).message})`,
      );
    }
    if (declared !== undefined && Number.isFinite(declared) && tally.bytes < declared) {
      throw new BadResponseError(response.url, `truncated body: ${tally.bytes} of ${declared} bytes arrived`);
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), tally };
}

/** Reads a page-sized body whole (for JSON pages whose cursor or records must be read). */
export async function bufferedBody(response: OpenResponse): Promise<{ buffer: Buffer; tally: BodyTally }> {
  const { stream, tally } = await meteredBody(response);
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return { buffer: Buffer.concat(parts), tally };
}
