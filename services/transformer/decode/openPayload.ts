import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { DecodeError, UnsafeArchiveError } from '../errors';
import { formatBytes } from './formatBytes';

export interface PayloadLimits {
  compression: 'auto' | 'none' | 'gzip' | 'zip';
  maxExpandedBytes: number;
  maxRatio: number;
  /** Zip entries decoded are those whose name matches. */
  zipEntries: RegExp;
}

/** One stream of decompressed bytes: the object itself, its gunzipped content, or a zip entry. */
export interface Payload {
  /** `key`, or `key!entry/name.csv` for a zip entry: used in every message about its records. */
  where: string;
  bytes: AsyncIterable<Buffer>;
}

/** Below this expanded size the ratio guard does not apply: tiny, very regular files are harmless. */
const RATIO_FLOOR = 1024 * 1024;

/**
 * Opens a raw object: plain, gzip (one or more members) or zip (each matching entry in archive
 * order), detected from the first bytes when `compression` is auto. Decompression is capped in
 * total size and in ratio, and zip entry names that could escape a folder are refused.
 * Each payload must be read to its end before the next is produced.
 */
export async function* openPayload(
  body: AsyncIterable<Buffer>,
  where: string,
  limits: PayloadLimits,
): AsyncGenerator<Payload> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head: Buffer | undefined = first.done ? undefined : (first.value as Buffer);
  const all = rejoin(head, iterator);
  let kind = limits.compression;
  if (kind === 'auto')
    kind = !head
      ? 'none'
      : head[0] === 0x1f && head[1] === 0x8b
        ? 'gzip'
        : head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04
          ? 'zip'
          : 'none';
  if (kind === 'none') yield { where, bytes: all };
  else if (kind === 'gzip') yield { where, bytes: gunzip(all, where, limits) };
  else yield* zipEntries(all, where, limits);
}

async function* rejoin(head: Buffer | undefined, rest: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  try {
    if (!head) return;
    yield head;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value as Buffer;
  } finally {
    // Closes the object's stream when decoding stops early (an error or a bomb).
    await rest.return?.();
  }
}

async function* gunzip(source: AsyncIterable<Buffer>, where: string, limits: PayloadLimits): AsyncGenerator<Buffer> {
  let compressed = 0;
  let expanded = 0;
  const counted = (async function* count() {
    for await (const chunk of source) {
      compressed += chunk.length;
      yield chunk;
    }
  })();
  const inflater = createGunzip();
  pipeline(Readable.from(counted), inflater).catch(() => undefined);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      expanded += chunk.length;
      checkExpansion(where, expanded, compressed, limits);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof UnsafeArchiveError) throw error;
    throw new DecodeError(
      where,
      `gzip data is corrupt (${(error as Error).message})`,
      'Re-extract the object; if the API does not compress, set format.compression: none',
    );
  }
}

function checkExpansion(where: string, expanded: number, compressed: number, limits: PayloadLimits): void {
  if (expanded > limits.maxExpandedBytes) {
    throw new UnsafeArchiveError(
      where,
      `decompresses to more than format.max_expanded_bytes (${formatBytes(limits.maxExpandedBytes)})`,
      'Raise format.max_expanded_bytes if the payload is genuine; otherwise this is a decompression bomb',
    );
  }
  if (expanded > RATIO_FLOOR && expanded > compressed * limits.maxRatio) {
    throw new UnsafeArchiveError(
      where,
      `expands more than ${limits.maxRatio}× (format.max_ratio)`,
      'Raise format.max_ratio if the payload is genuine; otherwise this is a decompression bomb',
    );
  }
}

async function* zipEntries(
  source: AsyncIterable<Buffer>,
  where: string,
  limits: PayloadLimits,
): AsyncGenerator<Payload> {
  // A zip's directory is at its end, so the archive is spooled to disk, never held in memory.
  const dir = await mkdtemp(join(tmpdir(), 'dif-zip-'));
  const path = join(dir, 'payload.zip');
  try {
    await pipeline(Readable.from(source), createWriteStream(path));
    const zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.open(
        path,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true },
        (error, file) => (error ? reject(zipError(where, error)) : resolve(file)),
      ),
    );
    try {
      let total = 0;
      for (let entry = await nextEntry(zip, where); entry; entry = await nextEntry(zip, where)) {
        const name = entry.fileName;
        if (name.endsWith('/')) continue;
        checkEntryName(where, name);
        if (!limits.zipEntries.test(name)) continue;
        const entryWhere = `${where}!${name}`;
        if (entry.isEncrypted())
          throw new DecodeError(entryWhere, 'the zip entry is encrypted', 'Ask the API for an unencrypted archive');
        checkExpansion(entryWhere, entry.uncompressedSize, entry.compressedSize, limits);
        total += entry.uncompressedSize;
        checkExpansion(where, total, Infinity, limits);
        const stream = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry!, (error, opened) =>
            error ? reject(zipError(entryWhere, error)) : resolve(opened),
          ),
        );
        yield { where: entryWhere, bytes: guardedEntry(stream, entryWhere) };
      }
    } finally {
      zip.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function* guardedEntry(stream: Readable, where: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw zipError(where, error as Error);
  }
}

function nextEntry(zip: ZipFile, where: string): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (entry: Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (error: Error) => (cleanup(), reject(zipError(where, error)));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function checkEntryName(where: string, name: string): void {
  if (name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name) || name.split('/').includes('..')) {
    throw new UnsafeArchiveError(
      `${where}!${name}`,
      'the zip entry name points outside the archive folder',
      'The archive is malformed or hostile; ask the API provider',
    );
  }
}

function zipError(where: string, error: Error): Error {
  if (error instanceof DecodeError || error instanceof UnsafeArchiveError) return error;
  if (/invalid relative path|absolute path|invalid characters/i.test(error.message)) {
    return new UnsafeArchiveError(
      where,
      `a zip entry name is unsafe (${error.message})`,
      'The archive is malformed or hostile; ask the API provider',
    );
  }
  return new DecodeError(
    where,
    `the zip archive is unreadable (${error.message})`,
    'Re-extract the object; check format.compression',
  );
}
