import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../shared/config';
import { configFrom } from '../../support/extractorContext';

const stream = (extra: string) =>
  `    request: { path: /x }\n    columns: { id: bigint }\n    load: { table: t }\n${extra}`;

function problems(streams: string, baseUrl = '"{{ env.DIF_API }}"'): string[] {
  try {
    configFrom({ sources: { t: `name: t\nbase_url: ${baseUrl}\nstreams:\n${streams}` }, clients: {} });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) => `${problem.path}: ${problem.message}`);
  }
}

describe('extraction config rules', () => {
  it('accepts the extraction keys with their defaults', () => {
    expect(
      problems(
        `  a:\n${stream('    paginate: { type: cursor, cursor: $.next, param: after }\n    partition: { list: { id: [1, 2] }, date_range: { start: "2026-01-01", step: P7D, lookback: P3D } }\n    incremental: { cursor_field: updated_at, start: "2026-01-01" }\n')}  b:\n${stream('    parent: { stream: a, fields: { a_id: id } }\n')}`,
      ),
    ).toEqual([]);
  });

  it('names parent streams that do not exist or are dependent themselves', () => {
    expect(
      problems(
        `  a:\n${stream('    parent: { stream: b }\n')}  b:\n${stream('    parent: { stream: c }\n')}  c:\n${stream('')}`,
      ),
    ).toEqual(['streams.a.parent.stream: "b" is itself a dependent stream; point parent at the top-level stream']);
    expect(problems(`  a:\n${stream('    parent: { stream: zz }\n')}`)[0]).toMatch(/no stream "zz" in this source/);
  });

  it('refuses body-reading pagination on CSV streams and env variables outside DIF_*', () => {
    expect(
      problems(`  a:\n${stream('    format: { type: csv }\n    paginate: { type: next_url, next: $.n }\n')}`)[0],
    ).toMatch(/paginate type next_url reads the response body, which needs format json/);
    expect(problems(`  a:\n${stream('')}`, '"{{ env.AWS_SECRET_ACCESS_KEY }}"')[0]).toMatch(
      /only env\.DIF_\* variables can be read/,
    );
  });

  it('reports unknown keys and wrong types in the new blocks with their path', () => {
    const found = problems(
      `  a:\n${stream('    partition: { date_range: { start: "2026-01-01", step: daily } }\n    parent: { stream: b, concurency: 3 }\n')}`,
    );
    expect(found.join('\n')).toMatch(/streams\.a\.partition\.date_range\.step: .*ISO-8601 duration/);
    expect(found.join('\n')).toMatch(/streams\.a\.parent: unknown key "concurency"/);
  });

  it('refuses paging that could never stop: no total, and pages whose records cannot be counted', () => {
    expect(
      problems(`  a:\n${stream('    format: { type: csv, compression: zip }\n    paginate: { type: page_number }\n')}`),
    ).toEqual([
      'streams.a.paginate: page_number paging without a total ends only on an empty page, and the records of a zip-compressed csv page cannot be counted while it streams, so paging could never stop; add total_pages or total_records, or use link_header',
    ]);
    expect(
      problems(
        `  a:\n${stream('    format: { type: xml, record_element: row, compression: gzip }\n    paginate: { type: offset }\n')}`,
      )[0],
    ).toMatch(/^streams\.a\.paginate: offset paging without a total .* add total or total_header/);
    // Countable pages, or a total to stop at, are fine.
    expect(
      problems(
        `  a:\n${stream('    format: { type: xml, record_element: row }\n    paginate: { type: page_number }\n')}`,
      ),
    ).toEqual([]);
    expect(
      problems(
        `  a:\n${stream('    format: { type: json, compression: gzip }\n    paginate: { type: page_number }\n')}`,
      ),
    ).toEqual([]);
    expect(
      problems(
        `  a:\n${stream('    format: { type: csv, compression: zip }\n    paginate: { type: offset, total_header: X-Total }\n')}`,
      ),
    ).toEqual([]);
  });

  it('checks the limits block and the download options with their paths', () => {
    expect(
      problems(`  a:\n${stream('    limits: { max_pages: 0, request_deadline: soon }\n')}`, '"{{ env.DIF_API }}"').join(
        '\n',
      ),
    ).toMatch(/streams\.a\.limits\.max_pages: .*\n.*streams\.a\.limits\.request_deadline: .*a duration like/);
    expect(
      problems(
        `  a:\n    async_job:\n      create: { path: /c }\n      id: $.id\n      poll: { request: { path: /p }, status: $.s, running: [r], done: [d] }\n      download: { url: $.u, auth: bearer }\n    columns: { id: bigint }\n    load: { table: t }\n`,
      )[0],
    ).toMatch(/streams\.a\.async_job\.download\.auth: .*none.*source/);
  });
});
