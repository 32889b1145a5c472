import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeFailure, decodeJsonLines, decodeText } from '../../services/transformer';

/**
 * Raw bytes → decodeText → decodeJsonLines, as the transformer reads JSON lines. Wherever the
 * byte chunks are cut — inside a line, a CRLF or a multi-byte character — it must give the
 * records a plain text split gives.
 */

const limits = { maxRecordBytes: 1 << 20, maxDepth: 64 };
const unit = fc.constantFrom('a', 'é', '€', '😀', '"', '\\', ',', ' ', '\uFEFF', '\u2028');
const value = fc.oneof(
  fc.string({ unit, maxLength: 12 }),
  fc.integer(),
  fc.dictionary(
    fc.string({ unit, maxLength: 4 }),
    fc.oneof(fc.string({ unit, maxLength: 6 }), fc.boolean(), fc.constant(null)),
    { maxKeys: 3 },
  ),
);
const line = fc.oneof(
  { weight: 6, arbitrary: value.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.constantFrom('', '  ', 'not json', '{"a":') },
);

/** What a reader of the text would expect: one record or failure per non-blank line. */
function expected(lines: string[]): unknown[] {
  return lines.flatMap((text, i) => {
    if (text.trim() === '') return [];
    try {
      return [JSON.parse(text) as unknown];
    } catch {
      return [`failure at line ${i + 1}`];
    }
  });
}

async function decode(bytes: Buffer, cuts: number[]): Promise<unknown[]> {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  async function* pieces() {
    let from = 0;
    for (const point of [...points, bytes.length]) {
      yield bytes.subarray(from, point);
      from = point;
    }
  }
  const out: unknown[] = [];
  for await (const batch of decodeJsonLines(decodeText(pieces(), 'raw/k', 'fail'), 'raw/k', limits)) {
    for (const record of batch)
      out.push(
        record instanceof DecodeFailure ? `failure at ${record.reason.slice(0, record.reason.indexOf(':'))}` : record,
      );
  }
  return out;
}

describe('decodeJsonLines', () => {
  it('reads the same records as a text split, wherever the byte chunks are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 8 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
        async (lines, crlf, bom, finalNewline, cuts) => {
          const text = lines.join(crlf ? '\r\n' : '\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text)]);
          expect(await decode(bytes, cuts)).toEqual(expected(lines));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fails on bytes that are not UTF-8, naming where they are', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]);
    for (const cut of [[], [0.5], [0.55, 0.6]]) {
      await expect(decode(bad, cut)).rejects.toThrow(/raw\/k: bytes \d+–\d+ are not valid UTF-8/);
    }
  });
});
