import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recordsAt } from '../../services/extractor/readPath';
import { decodeJsonDocument } from '../../services/transformer/decode/decodeJsonDocument';
import { selectRecords } from '../../shared/paths';

/**
 * Issue 18 §1: the extractor counts the records of a page (to page on by offset) and the
 * transformer decodes them from the stored bytes. Both must read a records path the same way,
 * or the paginator advances by a number of records the transformer never writes.
 */

const limits = { maxRecordBytes: 1 << 20, maxDepth: 64 };
const keys = fc.constantFrom('a', 'b', '0', 'items');

/** Small documents whose keys the paths below can reach, with lists, objects, nulls and scalars. */
const document = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer({ min: 0, max: 9 }), fc.constantFrom('s', null, true)),
    fc.array(tie('node'), { maxLength: 3 }),
    fc.dictionary(keys, tie('node'), { maxKeys: 3 }),
  ),
})).node;

const step = fc.constantFrom('.a', '.b', '.0', '.items', '[0]', '[1]', '[*]');
const path = fc.array(step, { maxLength: 4 }).map((steps) => `$${steps.join('')}`);

type Outcome = { records: unknown[] } | { error: string };

async function decoded(text: string, recordsPath: string): Promise<Outcome> {
  async function* chunks() {
    for (let at = 0; at < text.length; at += 3) yield text.slice(at, at + 3);
  }
  const records: unknown[] = [];
  try {
    for await (const batch of decodeJsonDocument(chunks(), recordsPath, 'raw/k', limits)) records.push(...batch);
    return { records };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

function counted(body: unknown, recordsPath: string): Outcome {
  try {
    return { records: recordsAt(body, recordsPath, { url: 'https://api.example.com/x', expect: 'allow_empty' }) };
  } catch (error) {
    return { error: (error as Error).name };
  }
}

describe('records paths: the extractor and the streaming decoder agree', () => {
  it('counts $.pages[*].items over pages of 2 and 1 items as 3 records in both', async () => {
    const body = { pages: [{ items: [{ i: 1 }, { i: 2 }] }, { items: [{ i: 3 }] }] };
    const fromDecoder = await decoded(JSON.stringify(body), '$.pages[*].items');
    expect(fromDecoder).toEqual({ records: [{ i: 1 }, { i: 2 }, { i: 3 }] });
    expect(counted(body, '$.pages[*].items')).toEqual(fromDecoder);
  });

  it('gives the same records, or fails alike, for any document and path', async () => {
    await fc.assert(
      fc.asyncProperty(document, path, async (body, recordsPath) => {
        const fromDecoder = await decoded(JSON.stringify(body), recordsPath);
        const fromExtractor = counted(body, recordsPath);
        // A string or number at the path, and a missing path, are both RecordsPathErrors.
        expect(fromExtractor).toEqual(fromDecoder);
        if ('records' in fromDecoder) expect(selectRecords(body, recordsPath).records).toEqual(fromDecoder.records);
      }),
      { numRuns: 600 },
    );
  });
});
