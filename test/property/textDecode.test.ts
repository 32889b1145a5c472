import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../services/transformer';

/**
 * decodeText validates UTF-8 apart from decoding, carrying a character cut by a chunk boundary
 * to the next chunk. Wherever the boundaries fall, valid bytes must decode to the same text as a
 * one-shot decode, and invalid bytes must fail the item in `fail` mode.
 */

async function decodeAll(parts: Buffer[], mode: 'fail' | 'replace'): Promise<string> {
  async function* source() {
    yield* parts;
  }
  let text = '';
  for await (const chunk of decodeText(source(), 'raw/k', mode)) text += chunk;
  return text;
}

/** Cuts `bytes` at the given fractions (sorted, deduplicated). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(bytes.subarray(from, point));
    from = point;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

const characters = fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\n', '"', '\uFEFF'), maxLength: 40 });
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });

describe('decodeText', () => {
  it('gives back the text of valid UTF-8 wherever the chunks are cut', async () => {
    await fc.assert(
      fc.asyncProperty(characters, cuts, async (text, at) => {
        const expected = new TextDecoder('utf-8').decode(Buffer.from(text));
        expect(await decodeAll(split(Buffer.from(text), at), 'fail')).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('fails on invalid bytes wherever they fall, and replaces them by policy', async () => {
    // Mostly valid text with one byte changed, dropped or added: the invalid spots a real payload has.
    const damaged = fc
      .tuple(characters, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'drop', 'insert'))
      .map(([text, at, byte, how]) => {
        const valid = [...Buffer.from(text)];
        const i = valid.length === 0 ? 0 : at % valid.length;
        if (how === 'set' && valid.length > 0) valid[i] = byte;
        else if (how === 'drop') valid.splice(i, 1);
        else valid.splice(i, 0, byte);
        return Buffer.from(valid);
      });
    const bytes = fc.oneof(
      damaged,
      fc.uint8Array({ maxLength: 24 }).map((array) => Buffer.from(array)),
    );
    await fc.assert(
      fc.asyncProperty(bytes, cuts, async (raw, at) => {
        const parts = split(raw, at);
        if (isUtf8(raw)) expect(await decodeAll(parts, 'fail')).toBe(new TextDecoder('utf-8').decode(raw));
        else await expect(decodeAll(parts, 'fail')).rejects.toThrow(/raw\/k: bytes \d+–\d+ are not valid UTF-8/);
        expect(await decodeAll(parts, 'replace')).toBe(new TextDecoder('utf-8').decode(raw));
      }),
      { numRuns: 1000 },
    );
  });
});
