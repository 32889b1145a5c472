import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeXml } from '../../services/transformer';

/**
 * Records generated as trees are written out as XML (escaped, sometimes as CDATA, sometimes with
 * character references) and decoded in random chunkings: the decoder must give back exactly the
 * objects the trees describe, wherever the chunk boundaries fall.
 */

type Leaf = { name: string; text: string; cdata: boolean };
type Child = Leaf | { name: string; children: Leaf[] };
interface RecordTree {
  attributes: Record<string, string>;
  children: Child[];
}

/** Characters that matter to XML and to the decoder's chunk handling. */
const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'é',
    '😀',
    ' ',
    '<',
    '>',
    '&',
    '"',
    "'",
    '\n',
    '\r',
    '\t',
    ';',
    '#',
    ']',
    '-',
    '?',
    '/',
    '=',
  ),
  maxLength: 12,
});
// 'a' and 'ab': a name the scanner remembers for a position may be a prefix of the next one there.
const name = fc.constantFrom('a', 'ab', 'b', 'ns:c', 'd-1', 'e.f');
const leaf: fc.Arbitrary<Leaf> = fc.record({ name, text, cdata: fc.boolean() });
const child: fc.Arbitrary<Child> = fc.oneof(
  leaf,
  fc.record({ name: fc.constantFrom('g', 'h'), children: fc.array(leaf, { minLength: 1, maxLength: 3 }) }),
);
const tree: fc.Arbitrary<RecordTree> = fc.record({
  attributes: fc.dictionary(fc.constantFrom('id', 'x:y', 'z'), text, { maxKeys: 3 }),
  children: fc.array(child, { minLength: 1, maxLength: 5 }),
});

function escape(value: string, attribute: boolean): string {
  let out = value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&#x3E;').replaceAll('\r', '&#13;');
  if (attribute) out = out.replaceAll('"', '&quot;').replaceAll('\n', '&#10;').replaceAll('\t', '&#9;');
  return out;
}

function leafXml({ name, text, cdata }: Leaf): string {
  const body = cdata && !text.includes(']]>') && !text.includes('\r') ? `<![CDATA[${text}]]>` : escape(text, false);
  return `<${name}>${body}</${name} >`;
}

function recordXml(record: RecordTree): string {
  const attributes = Object.entries(record.attributes)
    .map(([key, value]) => ` ${key}="${escape(value, true)}"`)
    .join('');
  const children = record.children
    .map((c) =>
      'children' in c ? `<${c.name}>${c.children.map(leafXml).join('<!-- between -->')}</${c.name}>` : leafXml(c),
    )
    .join('\n');
  return `<row${attributes}>${children}</row>`;
}

const local = (qualified: string) => qualified.slice(qualified.indexOf(':') + 1);

/** Repeated names become arrays, in document order; the rest are plain fields. */
function group(entries: [string, unknown][]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing) && (existing as { repeated?: true }).repeated) existing.push(value);
    else fields[key] = Object.assign([existing, value], { repeated: true as const });
  }
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>;
}

function expected(record: RecordTree): Record<string, unknown> {
  const entries: [string, unknown][] = Object.entries(record.attributes).map(([key, value]) => [
    `@${local(key)}`,
    value,
  ]);
  for (const c of record.children) {
    entries.push([local(c.name), 'children' in c ? group(c.children.map((l) => [local(l.name), l.text])) : c.text]);
  }
  return group(entries);
}

async function* chunked(xml: string, cuts: number[]): AsyncGenerator<string> {
  let at = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (xml.length + 1)))].sort((a, b) => a - b)) {
    if (cut > at) yield xml.slice(at, cut);
    at = Math.max(at, cut);
  }
  if (at < xml.length) yield xml.slice(at);
}

describe('XML decoder (property)', () => {
  it('gives back the generated records whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(tree, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (records, cuts) => {
          const xml = `<?xml version="1.0"?>\r\n<report>\r\n${records.map(recordXml).join('\r\n')}\r\n</report>\n`;
          const decoded: unknown[] = [];
          for await (const batch of decodeXml(chunked(xml, cuts), { recordElement: 'row', attributePrefix: '@' }, 'k', {
            maxRecordBytes: 1 << 20,
            maxDepth: 8,
          }))
            decoded.push(...batch);
          expect(decoded).toEqual(records.map(expected));
        },
      ),
      { numRuns: 300 },
    );
  });
});
