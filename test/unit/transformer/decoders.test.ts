import { selectRecords } from '../../../shared/paths';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  DecodeFailure,
  decodeCsv,
  decodeJsonDocument,
  decodeJsonLines,
  decodeObject,
  decodeText,
  TEXT_CHUNK_BYTES,
  decodeXml,
  UnsafeArchiveError,
  type DecodedBatch,
} from '../../../services/transformer';
import { format } from '../../../shared/config/schema/format';
import { isPermanent } from '../../../shared/runtime/errors';
import { buildZip } from '../../../demo/zip';

const limits = { maxRecordBytes: 1024, maxDepth: 8 };

async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function* bytes(...buffers: Buffer[]): AsyncGenerator<Buffer> {
  for (const buffer of buffers) yield buffer;
}

async function all(batches: AsyncIterable<DecodedBatch>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

async function objectRecords(
  body: Buffer,
  formatConfig: Record<string, unknown>,
  recordsPath = '$',
): Promise<{ where: string; records: unknown[] }[]> {
  const out: { where: string; records: unknown[] }[] = [];
  for await (const { where, batch } of decodeObject(bytes(body), format.parse(formatConfig), recordsPath, 'raw/k')) {
    const last = out[out.length - 1];
    if (last?.where === where) last.records.push(...batch);
    else out.push({ where, records: [...batch] });
  }
  return out;
}

describe('JSON document decoder', () => {
  const doc = '{"meta":{"data":[1]},"data":[{"a":"x\\"]}"},{"b":[1,{"c":2}]} , {"é":"ü"}],"after":{"data":[9]}}';

  it.each([1, 2, 3, 7, 64, 4096])('streams the records at the path whatever the chunk size (%i)', async (size) => {
    expect(await all(decodeJsonDocument(chunks(doc, size), '$.data', 'k', limits))).toEqual([
      { a: 'x"]}' },
      { b: [1, { c: 2 }] },
      { é: 'ü' },
    ]);
  });

  it('tracks backslash escapes before quotes across any chunk boundary', async () => {
    const values = ['a\\', 'b\\\\', '\\"', 'x\\\\"y', '"', '\\\\"\\', 'end'];
    const text = JSON.stringify({ skip: values, data: values.map((v) => ({ v })) });
    for (const size of [1, 2, 3, 5, 8]) {
      expect(await all(decodeJsonDocument(chunks(text, size), '$.data', 'k', limits))).toEqual(
        values.map((v) => ({ v })),
      );
    }
  });

  it('streams a large array across many chunks, keeping only the record in progress', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `n${i}`, tags: [i, { deep: 'x]}' }] }));
    const text = JSON.stringify({ paging: { next: 'x' }, data: records, summary: { total: 5000 } });
    expect(await all(decodeJsonDocument(chunks(text, 997), '$.data', 'k', limits))).toEqual(records);
  });

  it('reads nested paths, wildcards, a root array, a single object and a missing path', async () => {
    const pages = '{"pages":[{"items":[{"i":1}]},{"items":[{"i":2},{"i":3}]}],"items":[{"i":0}]}';
    expect(await all(decodeJsonDocument(chunks(pages, 5), '$.pages[*].items', 'k', limits))).toEqual([
      { i: 1 },
      { i: 2 },
      { i: 3 },
    ]);
    expect(await all(decodeJsonDocument(chunks(pages, 5), '$.pages[1].items[*]', 'k', limits))).toEqual([
      { i: 2 },
      { i: 3 },
    ]);
    // [*] on an object: every member (Pinterest's JSON report keys its rows by campaign id).
    const byCampaign = '{"11":[{"c":11,"d":1},{"c":11,"d":2}],"12":[{"c":12,"d":1}]}';
    expect(await all(decodeJsonDocument(chunks(byCampaign, 4), '$[*][*]', 'k', limits))).toEqual([
      { c: 11, d: 1 },
      { c: 11, d: 2 },
      { c: 12, d: 1 },
    ]);
    expect(selectRecords(JSON.parse(byCampaign), '$[*][*]').records).toHaveLength(3);
    expect(await all(decodeJsonDocument(chunks('[{"a":1},{"a":2}]', 3), '$', 'k', limits))).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
    expect(await all(decodeJsonDocument(chunks('{"report":{"id":5}}', 3), '$.report', 'k', limits))).toEqual([
      { id: 5 },
    ]);
    expect(
      await all(decodeJsonDocument(chunks('{"other":[1],"data":null}', 3), '$.data', 'k', limits, 'empty')),
    ).toEqual([]);
    expect(await all(decodeJsonDocument(chunks('{"data":[]}', 3), '$.data', 'k', limits))).toEqual([]);
  });

  // Issue 14 §4: each of these used to decode as 0 records, and the item loaded 0 rows as a success.
  it.each([
    ['4 KB of NUL bytes', '\u0000'.repeat(4096), /raw\/k \(character 0\): expected a JSON value but found "\\u0000/],
    ['an HTML error page', '<html><body>Bad Gateway</body></html>', /expected a JSON value but found "</],
    ['a bare word', 'nope', /expected a JSON value but found "nope"/],
    ['junk after a key', '{"data":[],"x":tru}', /expected a JSON value but found "tru}"/],
    [
      'a missing records path',
      '{"error":{"message":"x"},"meta":1}',
      /records path \$\.data is not in the document \(its top-level fields: error, meta\)\. .*expect_records: allow_missing/,
    ],
    ['a null records path', '{"data":null}', /records path \$\.data is null\. /],
    [
      'a string at the records path',
      '{"data":"oops"}',
      /records path \$\.data holds a string, not a list or an object of records/,
    ],
    ['a number at the records path', '{"data":42}', /records path \$\.data holds a number, boolean or null/],
    [
      'a list where an object with the path belongs',
      '[{"data":[]}]',
      /records path \$\.data is not in the document, which is a list/,
    ],
  ])('fails on %s with what, where and what to do, whatever the chunking', async (_name, text, message) => {
    for (const size of [1, 3, 4096]) {
      const error = await all(decodeJsonDocument(chunks(text, size), '$.data', 'raw/k', limits)).catch(
        (e: unknown) => e,
      );
      expect(isPermanent(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('reads a missing or null records path as no records only when the stream allows it', async () => {
    for (const text of ['{"meta":1}', '{"data":null}', '{"pages":[{"x":1}]}'])
      expect(await all(decodeJsonDocument(chunks(text, 2), '$.data', 'k', limits, 'empty'))).toEqual([]);
    // A string is never records, allowed or not.
    await expect(all(decodeJsonDocument(chunks('{"data":"oops"}', 2), '$.data', 'k', limits, 'empty'))).rejects.toThrow(
      /holds a string/,
    );
    // With a wildcard, one page holding the path is enough.
    const pages = '{"pages":[{"x":1},{"items":[{"i":1}]}]}';
    expect(await all(decodeJsonDocument(chunks(pages, 2), '$.pages[*].items', 'k', limits))).toEqual([{ i: 1 }]);
    // Long literals off the records path are still checked, and capped like records.
    const long = `{"n":${'1'.repeat(2000)},"data":[]}`;
    await expect(all(decodeJsonDocument(chunks(long, 100), '$.data', 'k', limits))).rejects.toThrow(
      /expected a JSON value/,
    );
  });

  it('quarantines a malformed element but fails a truncated document or one with trailing text', async () => {
    const records = await all(
      decodeJsonDocument(chunks('{"data":[{"a":1},{"a":tru},{"a":3}]}', 4), '$.data', 'k', limits),
    );
    expect(records[0]).toEqual({ a: 1 });
    expect(records[1]).toBeInstanceOf(DecodeFailure);
    expect((records[1] as DecodeFailure).reason).toMatch(/^record 2 \(character 17\): not valid JSON/);
    expect((records[1] as DecodeFailure).raw).toBe('{"a":tru}');
    expect(records[2]).toEqual({ a: 3 });
    await expect(all(decodeJsonDocument(chunks('{"data":[{"a":1},{"a"', 4), '$.data', 'k', limits))).rejects.toThrow(
      /the document ends inside a value/,
    );
    await expect(all(decodeJsonDocument(chunks('{"data":[]} {"x":1}', 4), '$.data', 'k', limits))).rejects.toThrow(
      /unexpected text after the end of the JSON document/,
    );
    await expect(all(decodeJsonDocument(chunks('', 4), '$.data', 'k', limits))).rejects.toThrow(
      /the document is empty/,
    );
  });

  it('caps record size and nesting depth with a clear error', async () => {
    const big = `{"data":[{"a":"${'x'.repeat(2000)}"}]}`;
    await expect(all(decodeJsonDocument(chunks(big, 100), '$.data', 'raw/k', limits))).rejects.toThrow(
      /raw\/k \(character \d+\): record 1 is larger than format.max_record_bytes \(1 KiB\)/,
    );
    const deep = `{"data":[${'['.repeat(20)}${']'.repeat(20)}]}`;
    const error = await all(decodeJsonDocument(chunks(deep, 7), '$.data', 'raw/k', limits)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toMatch(
      /record 1 is nested deeper than format.max_depth \(8\)\. Raise format.max_depth/,
    );
    // Values off the records path are skipped unparsed, so their size and depth do not matter.
    const skipped = `{"blob":"${'y'.repeat(5000)}","deep":${'['.repeat(50)}${']'.repeat(50)},"data":[{"ok":1}]}`;
    expect(await all(decodeJsonDocument(chunks(skipped, 100), '$.data', 'k', limits))).toEqual([{ ok: 1 }]);
  });
});

describe('JSON lines decoder', () => {
  it('parses lines across chunks, ignores CR and blank lines, quarantines bad lines by number', async () => {
    const text = '{"a":1}\r\n\n  \n{"a":"ü"}\nnope\n{"a":3}';
    for (const size of [1, 4, 100]) {
      const records = await all(decodeJsonLines(chunks(text, size), 'k', limits));
      expect(records.filter((r) => !(r instanceof DecodeFailure))).toEqual([{ a: 1 }, { a: 'ü' }, { a: 3 }]);
      const failure = records.find((r) => r instanceof DecodeFailure) as DecodeFailure;
      expect(failure.reason).toMatch(/^line 5: not valid JSON/);
      expect(failure.raw).toBe('nope');
    }
  });

  it('fails on a line above the size cap, complete or not', async () => {
    await expect(
      all(decodeJsonLines(chunks(`{"a":1}\n"${'x'.repeat(3000)}"\n`, 5000), 'raw/k', limits)),
    ).rejects.toThrow(/raw\/k: line 2 is 2\.9 KiB long, above format.max_record_bytes \(1 KiB\)/);
    await expect(all(decodeJsonLines(chunks(`"${'x'.repeat(3000)}`, 100), 'raw/k', limits))).rejects.toThrow(
      /line 1 is .* long, above format.max_record_bytes/,
    );
  });
});

describe('CSV decoder', () => {
  const options = { delimiter: ',', quote: '"', skipLines: 0 };

  it('keeps quoted delimiters, quotes and newlines across any chunk boundary', async () => {
    const text = 'id,note\r\n1,"a, ""b""\r\nc"\r\n2,plain\r\n3,""\r\n';
    for (const size of [1, 2, 5, 9, 1000]) {
      expect(await all(decodeCsv(chunks(text, size), options, 'k', limits))).toEqual([
        { id: '1', note: 'a, "b"\r\nc' },
        { id: '2', note: 'plain' },
        { id: '3', note: '' },
      ]);
    }
  });

  it('drops skip_lines and footer rows, reads TSV, names blank headers', async () => {
    const text =
      'Report: spend\nGenerated today\nday\t\tspend\n2026-01-01\tx\t1.5\nTotal\t\t1.5\n2026-01-02\ty\t2\nTotal\t\t3.5\nRows: 2\n';
    const records = await all(
      decodeCsv(
        chunks(text, 7),
        { delimiter: '\t', quote: '"', skipLines: 2, footerPattern: /^(Total|Rows:)/ },
        'k',
        limits,
      ),
    );
    expect(records).toEqual([
      { day: '2026-01-01', column_2: 'x', spend: '1.5' },
      // A "footer" row followed by data was data after all.
      { day: 'Total', column_2: '', spend: '1.5' },
      { day: '2026-01-02', column_2: 'y', spend: '2' },
    ]);
  });

  it('quarantines ragged rows and fails on an unclosed quote past the size cap', async () => {
    const records = await all(decodeCsv(chunks('a,b\n1,2\n3\n4,5,6\n7,8\n', 3), options, 'k', limits));
    expect(records.filter((r) => !(r instanceof DecodeFailure))).toEqual([
      { a: '1', b: '2' },
      { a: '7', b: '8' },
    ]);
    expect(records.filter((r) => r instanceof DecodeFailure).map((r) => (r as DecodeFailure).reason)).toEqual([
      'row 2: 1 fields where the header has 2 (ragged row)',
      'row 3: 3 fields where the header has 2 (ragged row)',
    ]);
    await expect(
      all(decodeCsv(chunks(`a,b\n1,"${'x'.repeat(3000)}\n`, 100), options, 'raw/k', limits)),
    ).rejects.toThrow(/raw\/k: row 1 is longer than format.max_record_bytes .*a quote that is never closed/);
  });

  it('fails on a payload without a header line', async () => {
    await expect(all(decodeCsv(chunks('', 3), options, 'raw/k', limits))).rejects.toThrow(
      /raw\/k: the CSV has no header line/,
    );
  });
});

describe('XML decoder', () => {
  const options = { recordElement: 'row', attributePrefix: '@' };

  it('streams record elements into objects: attributes, children, repeats, nesting, CDATA, entities', async () => {
    const xml = `<?xml version="1.0"?>
<ns:report xmlns:ns="urn:x"><ns:meta><row>not inside</row></ns:meta>
  <ns:rows>
    <ns:row id="1"><name>A &amp; B</name><tag>x</tag><tag>y</tag><m><spend>1.5</spend></m><note><![CDATA[<b>]]></note></ns:row>
    <ns:row id="2"><name/></ns:row>
  </ns:rows>
</ns:report>`;
    for (const size of [1, 13, 10_000]) {
      const records = await all(decodeXml(chunks(xml, size), options, 'k', limits));
      expect(records).toEqual([
        { '#text': 'not inside' },
        { '@id': '1', name: 'A & B', tag: ['x', 'y'], m: { spend: '1.5' }, note: '<b>' },
        { '@id': '2', name: '' },
      ]);
    }
  });

  it('refuses a DOCTYPE (no entity expansion) and reports malformed XML with its line', async () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r><row>&b;</row></r>';
    await expect(all(decodeXml(chunks(bomb, 16), options, 'raw/k', limits))).rejects.toThrow(
      /the XML declares a DOCTYPE; DTDs are refused/,
    );
    await expect(all(decodeXml(chunks('<r>\n<row><a>1</b></row></r>', 16), options, 'raw/k', limits))).rejects.toThrow(
      /raw\/k \(line 2\): the XML is not well-formed/,
    );
    await expect(all(decodeXml(chunks('<r><row>&ext;</row></r>', 16), options, 'raw/k', limits))).rejects.toThrow(
      /not well-formed/,
    );
  });

  it('rejects each kind of malformed XML, whatever the chunking', async () => {
    const malformed: [string, RegExp][] = [
      ['<r><row>1</row></r><r/>', /second root element/],
      ['<r><row>1</row></r>tail', /text outside the root element/],
      ['<r><row>1</row>', /ends before <\/r>/],
      ['<r><row>1</row></r></x>', /closes no open element/],
      ['<r><row a="1" a="2"/></r>', /appears twice/],
      ['<r><row a="<"/></r>', /"<" in the value of attribute a/],
      ['<r><row a=1/></r>', /is not quoted/],
      ['<r><row a="1"b="2"/></r>', /separated by spaces/],
      ['<r><1row/></r>', /is not an XML name/],
      // The same position in a later record, where the scanner remembers the first record's names.
      ['<r><row><a>1</a></row><row><a>1</ab></row></r>', /<\/ab> closes <a>/],
      ['<r><row><a>1</a></row><row><a%>1</a%></row></r>', /"a%" is not an XML name/],
      ['<r><row><ab>1</ab></row><row><a>1</ab></row></r>', /<\/ab> closes <a>/],
      ['<r><row>&#0;</row></r>', /undefined entity &#0;/],
      ['<r><row>a & b</row></r>', /undefined entity/],
      ['<r><!-- a -- b --><row/></r>', /"--" inside a comment/],
      ['<r><row><![CDATA[x]]></row><row', /ends inside markup/],
      ['', /no root element/],
    ];
    for (const [xml, reason] of malformed) {
      for (const size of [1, 5, 10_000]) {
        await expect(
          all(decodeXml(chunks(xml, size), options, 'raw/k', limits)),
          `${xml} in chunks of ${size}`,
        ).rejects.toThrow(reason);
      }
    }
    const fine =
      '<?xml version="1.0"?><!-- c --><r>\r\n<row a=\'x&#x41;&#66;\tz\'>&lt;&gt;&quot;&apos;&amp;<?pi x?></row ></r>\n';
    for (const size of [1, 5, 10_000])
      expect(await all(decodeXml(chunks(fine, size), options, 'k', limits))).toEqual([
        { '@a': 'xAB z', '#text': '<>"\'&' },
      ]);
    // Line ends read as LF (XML 1.0 §2.11), in attributes as spaces; character references are kept.
    const lines = '<r><row b="1\r\n2&#10;3"><t>a\r\nb\rc&#13;</t><c><![CDATA[x\r\ny]]></c></row></r>';
    for (const size of [1, 2, 3, 10_000])
      expect(await all(decodeXml(chunks(lines, size), options, 'k', limits))).toEqual([
        { '@b': '1 2\n3', t: 'a\nb\nc\r', c: 'x\ny' },
      ]);
  });

  it('caps markup without an end (a huge tag or comment) by format.max_record_bytes', async () => {
    await expect(
      all(decodeXml(chunks(`<r><row a="${'x'.repeat(3000)}"/></r>`, 500), options, 'k', limits)),
    ).rejects.toThrow(
      /k \(line 1\): a tag, comment or CDATA section runs on past 1024 characters, above format.max_record_bytes/,
    );
    await expect(
      all(decodeXml(chunks(`<r><!-- ${'x'.repeat(3000)} --><row/></r>`, 500), options, 'k', limits)),
    ).rejects.toThrow(/runs on past 1024 characters/);
  });

  it('names the line of an error anywhere in a chunk, whatever the chunking', async () => {
    const xml = `<r>\n<row><a>1</a></row>\n<row><a>2</a></row>\n<row><a>3</a></row>\n<row><a>4</b></row>\n<row><a>5</a></row>\n</r>`;
    for (const size of [1, 7, 30, 10_000]) {
      await expect(all(decodeXml(chunks(xml, size), options, 'raw/k', limits))).rejects.toThrow(
        /raw\/k \(line 5\): the XML is not well-formed/,
      );
    }
    const deep = `<r>\n\n<row>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</row></r>`;
    for (const size of [5, 10_000])
      await expect(all(decodeXml(chunks(deep, size), options, 'raw/k', limits))).rejects.toThrow(
        /raw\/k \(line 3\): a record is nested deeper/,
      );
  });

  it('caps record size and depth', async () => {
    await expect(
      all(decodeXml(chunks(`<r><row><a>${'x'.repeat(3000)}</a></row></r>`, 500), options, 'k', limits)),
    ).rejects.toThrow(/larger than format.max_record_bytes/);
    await expect(
      all(decodeXml(chunks(`<r><row>${'<a>'.repeat(20)}${'</a>'.repeat(20)}</row></r>`, 500), options, 'k', limits)),
    ).rejects.toThrow(/nested deeper than format.max_depth \(8\)/);
  });
});

describe('text decoding', () => {
  it('joins characters split between chunks and strips a BOM', async () => {
    const encoded = Buffer.from('\uFEFFé€😀');
    const parts = [encoded.subarray(0, 4), encoded.subarray(4, 6), encoded.subarray(6)];
    let text = '';
    for await (const chunk of decodeText(bytes(...parts), 'k', 'fail')) text += chunk;
    expect(text).toBe('é€😀');
  });

  it('cuts a large read into small text chunks without splitting a character', async () => {
    const big = `${'a'.repeat(65535)}€${'b'.repeat(70_000)}😀`;
    const chunks: string[] = [];
    for await (const chunk of decodeText(bytes(Buffer.from(big)), 'k', 'fail')) chunks.push(chunk);
    expect(chunks.join('')).toBe(big);
    expect(chunks.length).toBeGreaterThan(2);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(TEXT_CHUNK_BYTES);
    const bad = Buffer.concat([Buffer.from('a'.repeat(70_000)), Buffer.from([0xff])]);
    await expect(async () => {
      for await (const chunk of decodeText(bytes(bad), 'raw/k', 'fail')) void chunk;
    }).rejects.toThrow(/raw\/k: bytes 65536–70001 are not valid UTF-8/);
  });

  it('fails on invalid UTF-8 naming the byte range, or replaces it by policy', async () => {
    const bad = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    await expect(objectRecords(bad, { type: 'jsonl' })).rejects.toThrow(
      /raw\/k: bytes 0–11 are not valid UTF-8\. .*encoding_errors: replace/,
    );
    expect(await objectRecords(bad, { type: 'jsonl', encoding_errors: 'replace' })).toEqual([
      { where: 'raw/k', records: [{ a: '\uFFFD\uFFFD' }] },
    ]);
  });
});

describe('compressed payloads', () => {
  it('detects gzip by its magic bytes', async () => {
    expect(await objectRecords(gzipSync('a\n1\n'), { type: 'csv' })).toEqual([
      { where: 'raw/k', records: [{ a: '1' }] },
    ]);
  });

  it('reads every matching zip entry in order, naming each', async () => {
    const zip = buildZip([
      { name: 'readme.txt', data: 'ignore me' },
      { name: 'dir/', data: '' },
      { name: 'dir/a.csv', data: 'x\n1\n' },
      { name: 'b.csv', data: 'x\n2\n3\n' },
    ]);
    expect(await objectRecords(zip, { type: 'csv', zip_entries: '\\.csv$' })).toEqual([
      { where: 'raw/k!dir/a.csv', records: [{ x: '1' }] },
      { where: 'raw/k!b.csv', records: [{ x: '2' }, { x: '3' }] },
    ]);
  });

  it('refuses zip entries whose names climb out of the folder', async () => {
    const zip = buildZip([{ name: '../../etc/passwd.csv', data: 'x\n1\n' }]);
    const error = await objectRecords(zip, { type: 'csv' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeArchiveError);
    expect((error as Error).message).toMatch(/raw\/k.*unsafe|outside the archive folder/);
  });

  it('refuses decompression bombs by ratio and by expanded size', async () => {
    const zeros = Buffer.alloc(3 * 1024 * 1024, 0x20);
    const zip = buildZip([{ name: 'a.csv', data: Buffer.concat([Buffer.from('x\n'), zeros]) }]);
    await expect(objectRecords(zip, { type: 'csv' })).rejects.toThrow(
      /raw\/k!a\.csv: expands more than 500× \(format.max_ratio\)/,
    );
    const gz = gzipSync(Buffer.concat([Buffer.from('x\n'), zeros]));
    await expect(objectRecords(gz, { type: 'csv' })).rejects.toThrow(/raw\/k: expands more than 500×/);
    await expect(objectRecords(gzipSync('x\n1\n2\n'), { type: 'csv', max_expanded_bytes: 4 })).rejects.toThrow(
      /decompresses to more than format.max_expanded_bytes/,
    );
  });

  it('fails clearly on corrupt gzip', async () => {
    const broken = gzipSync('x\n1\n').subarray(0, 12);
    await expect(objectRecords(broken, { type: 'csv' })).rejects.toThrow(/raw\/k: gzip data is corrupt/);
  });
});
