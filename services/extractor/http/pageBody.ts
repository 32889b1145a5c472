import { pipeline, Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { isPermanent } from '../../../shared/runtime/errors';
import { BadResponseError, BodyLimitError } from '../errors';
import type { ByteBudget } from './ByteBudget';
import type { OpenResponse } from './types';
import { unwrapError } from './unwrapError';

/** Compression recognised from the first bytes, whatever the Content-Type says. */
export type Sniffed = 'gzip' | 'zip' | undefined;

export function sniffCompression(head: Buffer): Sniffed {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'zip';
  return undefined;
}

/** The caps every body is read under, however it is encoded. */
export interface BodyGuards {
  /** The work item's remaining raw bytes (`limits.max_bytes`); absent for job create/poll answers. */
  budget?: ByteBudget;
  /** Largest decoded/wire ratio of a Content-Encoding (the stream's `format.max_ratio`). */
  maxRatio: number;
  /** Largest body read whole (`limits.max_page_bytes`). */
  maxPageBytes: number;
  /** Called with every decoded chunk (record counting). */
  onChunk?: (chunk: Buffer) => void;
}

/** Figures about a body, filled in while it streams. */
export interface BodyTally {
  /** Decoded bytes (what is stored). */
  bytes: number;
  /** Bytes on the wire (before Content-Encoding is decoded). */
  wireBytes: number;
  newlines: number;
  /** Last byte seen, to count a final line without a trailing newline. */
  lastByte?: number;
  sniffed: Sniffed;
}

/** Lines in a text body (a last line without a newline counts). */
export function lineCount(tally: BodyTally): number {
  return tally.newlines + (tally.lastByte !== undefined && tally.lastByte !== 10 ? 1 : 0);
}

/** Below this decoded size the ratio guard does not apply: tiny, very regular bodies are harmless. */
const RATIO_FLOOR = 1024 * 1024;

function decoderFor(encoding: string | undefined, url: string): Transform | undefined {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return undefined;
  if (name === 'gzip' || name === 'x-gzip') return createGunzip();
  if (name === 'deflate') return createInflate();
  if (name === 'br') return createBrotliDecompress();
  throw new BadResponseError(url, `unsupported Content-Encoding "${name}"`, false);
}

/**
 * The decoded body as a stream that counts bytes and newlines as they pass, decodes any
 * Content-Encoding under the ratio guard, charges the item's byte budget, and fails with a
 * retryable {@link BadResponseError} when fewer bytes arrive than Content-Length promised.
 * A cap that is passed fails with {@link BodyLimitError} and stops the download at once.
 * Resolves once the first chunk is in, so the caller can pick the object key from the sniffed
 * compression.
 */
export async function meteredBody(
  response: OpenResponse,
  guards: BodyGuards,
): Promise<{ stream: Readable; tally: BodyTally }> {
  const tally: BodyTally = { bytes: 0, wireBytes: 0, newlines: 0, sniffed: undefined };
  const declared = Number(response.headers['content-length'] ?? NaN);
  const url = response.url;
  let failure: unknown;
  async function* wire(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        tally.wireBytes += chunk.length;
        yield chunk;
      }
    } catch (raw) {
      const error = unwrapError(raw);
      failure ??= isPermanent(error)
        ? error
        : new BadResponseError(
            url,
            `the connection broke after ${tally.wireBytes} bytes (${(error as Error).message})`,
          );
      throw failure;
    }
    if (Number.isFinite(declared) && tally.wireBytes < declared) {
      failure ??= new BadResponseError(url, `truncated body: ${tally.wireBytes} of ${declared} bytes arrived`);
      throw failure;
    }
  }
  const decoder = decoderFor(response.headers['content-encoding'], url);
  // pipeline (not pipe) so a wire failure also ends the decoder instead of leaving it waiting.
  if (decoder) pipeline(Readable.from(wire()), decoder, () => undefined);
  const source: AsyncIterable<Buffer> = decoder ?? wire();
  const iterator = source[Symbol.asyncIterator]();
  const count = (chunk: Buffer): Buffer => {
    tally.bytes += chunk.length;
    if (decoder && tally.bytes > RATIO_FLOOR && tally.bytes > tally.wireBytes * guards.maxRatio)
      throw new BodyLimitError(
        url,
        `its Content-Encoding expands more than ${guards.maxRatio}× (format.max_ratio; ${tally.wireBytes} bytes became ${tally.bytes})`,
        'Nothing past the cap was stored. Raise format.max_ratio if the body is genuine; otherwise this is a decompression bomb',
      );
    guards.budget?.take(chunk.length, url);
    if (chunk.length > 0) tally.lastByte = chunk[chunk.length - 1];
    for (let index = chunk.indexOf(10); index !== -1; index = chunk.indexOf(10, index + 1)) tally.newlines++;
    guards.onChunk?.(chunk);
    return chunk;
  };
  const next = async (): Promise<IteratorResult<Buffer>> => {
    try {
      return await iterator.next();
    } catch (error) {
      // A decoder error after a wire failure is only its echo: report the wire failure.
      throw failure ?? new BadResponseError(url, `the body could not be decoded (${(error as Error).message})`);
    }
  };
  const stop = (): void => {
    response.body.destroy();
    decoder?.destroy();
    // Nothing of a failed attempt is stored; its retry is charged anew.
    guards.budget?.release(tally.bytes);
  };
  let first: IteratorResult<Buffer>;
  try {
    first = await next();
    if (!first.done) {
      tally.sniffed = sniffCompression(first.value);
      count(first.value);
    }
  } catch (error) {
    stop();
    throw error;
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    let complete = false;
    try {
      if (!first.done) yield first.value;
      for (let step = await next(); !step.done; step = await next()) yield count(step.value);
      complete = true;
    } finally {
      if (!complete) stop();
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), tally };
}

/** Reads a page-sized body whole, failing past `maxPageBytes` (for pages whose content must be read). */
export async function bufferedBody(
  response: OpenResponse,
  guards: BodyGuards,
): Promise<{ buffer: Buffer; tally: BodyTally }> {
  const { stream, tally } = await meteredBody(response, guards);
  const parts: Buffer[] = [];
  for await (const chunk of stream) {
    if (tally.bytes > guards.maxPageBytes) {
      stream.destroy();
      throw pageTooLarge(response.url, guards.maxPageBytes);
    }
    parts.push(chunk as Buffer);
  }
  return { buffer: Buffer.concat(parts), tally };
}

function pageTooLarge(url: string, maxPageBytes: number): BodyLimitError {
  return new BodyLimitError(
    url,
    `the page is larger than limits.max_page_bytes (${maxPageBytes} bytes); it is read whole because its content must be parsed (paging, a dependent stream, an incremental cursor, a job or token answer)`,
    'Ask for smaller pages (the page size parameter of paginate), or raise limits.max_page_bytes',
  );
}

/**
 * The content of a page stored gzip-compressed (recognised by its first bytes), decompressed in
 * memory under `maxPageBytes` and the ratio guard, so that its cursor, records or error
 * envelope can be read. Plain pages are returned as they are.
 */
export async function pageContent(buffer: Buffer, sniffed: Sniffed, url: string, guards: BodyGuards): Promise<Buffer> {
  if (sniffed !== 'gzip') return buffer;
  const inflater = createGunzip();
  const parts: Buffer[] = [];
  let size = 0;
  inflater.end(buffer);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > guards.maxPageBytes) throw pageTooLarge(url, guards.maxPageBytes);
      if (size > RATIO_FLOOR && size > buffer.length * guards.maxRatio)
        throw new BodyLimitError(
          url,
          `the gzip page expands more than ${guards.maxRatio}× (format.max_ratio)`,
          'Raise format.max_ratio if the page is genuine; otherwise this is a decompression bomb',
        );
      parts.push(chunk);
    }
  } catch (error) {
    inflater.destroy();
    if (error instanceof BodyLimitError) throw error;
    throw new BadResponseError(url, `the gzip page is corrupt (${(error as Error).message})`);
  }
  return Buffer.concat(parts);
}
