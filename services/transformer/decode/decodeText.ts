import { DecodeError } from '../errors';

/**
 * Turns UTF-8 byte chunks into text chunks, never splitting a character between chunks and
 * dropping a leading byte-order mark. With `encodingErrors: 'fail'` an invalid byte sequence
 * fails the item naming the byte range; with `'replace'` it becomes U+FFFD.
 */
export async function* decodeText(bytes: AsyncIterable<Buffer>, where: string, encodingErrors: 'fail' | 'replace'): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: encodingErrors === 'fail' });
  let offset = 0;
  for await (const chunk of bytes) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw invalidUtf8(where, offset, offset + chunk.length);
    }
    offset += chunk.length;
    if (text.length > 0) yield text;
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw invalidUtf8(where, offset, offset);
  }
  if (tail.length > 0) yield tail;
}

function invalidUtf8(where: string, from: number, to: number): DecodeError {
  return new DecodeError(
    where,
    `bytes ${from}–${to} are not valid UTF-8`,
    'Ask the API for UTF-8, or set format.encoding_errors: replace to load the rest with U+FFFD in place of the bad bytes',
  );
}
