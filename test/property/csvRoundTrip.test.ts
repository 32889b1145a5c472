import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCsv, decimalText, NULL_CELL, RecordPipeline, Rejection, textCell } from '../../services/transformer';
import { transform } from '../../shared/config/schema/transform';

/**
 * A reference reader of clean CSV as the warehouses read it (FORMAT CSV, NULL '\N'): an
 * unquoted `\N` is NULL, a quoted one is text. Written independently of the code under test.
 */
function readCleanCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let value = '';
    let quoted = false;
    if (text[i] === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\n') {
        if (text[i] === '"' || text[i] === '\r')
          throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field`);
        value += text[i++];
      }
    }
    row.push(!quoted && value === '\\N' ? null : value);
    if (text[i] === ',') i++;
    else if (text[i] === '\n' || i >= text.length) {
      i++;
      rows.push(row);
      row = [];
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} after a field`);
  }
  return rows;
}

/** Text that stresses CSV: delimiters, quotes, CR/LF, backslashes, `\N`, unicode, astral characters. */
const nastyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(',', '"', '\n', '\r', '\r\n', '\\', 'N', '\\N', ' ', '\t', 'é', '€', '😀', 'x'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !c.includes('\u0000')),
  ),
  maxLength: 20,
});

const cell = fc.option(nastyText, { nil: null });

describe('clean CSV round trip (property)', () => {
  it('any values → cells → reference CSV reader gives the same values, NULL distinct from empty', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }), (rows) => {
        const text =
          rows
            .map((row) => row.map((value) => (value === null ? NULL_CELL : (textCell(value) as string))).join(','))
            .join('\n') + '\n';
        expect(readCleanCsv(text)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('records → record pipeline → CSV → reference reader gives the same values', () => {
    const pipeline = new RecordPipeline({
      columns: { a: 'varchar', b: 'varchar', c: 'super' },
      options: transform.parse({}),
      primaryKey: [],
      metadata: {},
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            a: cell,
            b: cell,
            c: fc.option(
              fc.jsonValue().filter((v) => typeof v !== 'string'),
              { nil: null },
            ),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        (records) => {
          const text = pipeline.header + records.map((record) => pipeline.row({ ...record }) as string).join('');
          const [header, ...rows] = readCleanCsv(text);
          expect(header).toEqual(['a', 'b', 'c']);
          expect(rows).toEqual(records.map((r) => [r.a, r.b, r.c === null ? null : JSON.stringify(r.c)]));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('our CSV decoder reads our CSV back, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(nastyText, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 50 }),
        async (rows, size) => {
          const text =
            'x,y\n' + rows.map((row) => row.map((value) => textCell(value) as string).join(',')).join('\n') + '\n';
          const out: unknown[] = [];
          async function* chunks() {
            for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
          }
          for await (const batch of decodeCsv(chunks(), { delimiter: ',', quote: '"', skipLines: 0 }, 'k', {
            maxRecordBytes: 1 << 20,
            maxDepth: 64,
          }))
            out.push(...batch);
          // A row whose cells are all empty text is written `"",""`, so it is never mistaken for a blank line.
          expect(out).toEqual(rows.map(([x, y]) => ({ x, y })));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decimal text is exact for any digits and scale', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 8 }),
        (unscaled, scale) => {
          const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
          const text = `${unscaled < 0n ? '-' : ''}${scale > 0 ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits}`;
          const out = decimalText(text, 38, scale);
          expect(out).not.toBeInstanceOf(Rejection);
          expect(out).toBe(unscaled === 0n ? text.replace('-', '') : text);
        },
      ),
      { numRuns: 300 },
    );
  });
});
