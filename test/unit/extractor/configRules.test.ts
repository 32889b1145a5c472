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
});
