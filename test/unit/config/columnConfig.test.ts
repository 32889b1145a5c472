import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../../shared/config';
import { configFrom } from '../../support/extractorContext';

/** `dif validate` output for a source whose stream `a` has the given extra lines, and optional clients. */
function validate(stream: string, clients: Record<string, string> = {}): string[] {
  const source = `name: t\nbase_url: http://api.example.com\nstreams:\n  a:\n    request: { path: /x }\n    load: { table: a }\n${stream}`;
  try {
    configFrom({ sources: { t: source }, clients });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((problem) =>
      formatProblem(problem).replace(/^\S*?(sources|clients)\//, '$1/'),
    );
  }
}

describe('dif validate: column sources, formats and array paths (issue 16 §2-4)', () => {
  it('accepts request values the stream has, formats that fit the type, and array paths', () => {
    expect(
      validate(
        [
          '    partition:',
          '      list: { advertiser_id: "{{ client.advertiser_ids }}" }',
          '      date_range: { start: "2026-01-01", step: P1D }',
          '    columns:',
          '      advertiser_id: { type: bigint, from: partition.advertiser_id }',
          '      day: { type: date, from: slice.start }',
          '      stat_day: { type: date, from: TimePeriod, format: M/d/yyyy }',
          '      ctr: { type: "decimal(9,6)", format: percent }',
          '      spend: { type: "decimal(18,2)", thousands: ",", null_values: ["--"] }',
          '      purchases: { type: bigint, from: "actions[?action_type==\'purchase\'].value", matches: sum }',
          '',
        ].join('\n'),
        { c: 'client: c\nsources:\n  t: { params: { advertiser_ids: "1,2" } }\n' },
      ),
    ).toEqual([]);
  });

  it('refuses a partition, slice or parent value the stream does not have, at its line', () => {
    expect(
      validate(
        [
          '    partition: { list: { account_id: "1,2" } }',
          '    columns:',
          '      advertiser_id: { type: bigint, from: partition.advertiser_id }',
          '      day: { type: date, from: slice.start }',
          '      campaign: { type: bigint, from: parent.id }',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      expect.stringMatching(
        /sources\/t\.yml:9: streams\.a\.columns\.advertiser_id\.from: this stream has no partition value "advertiser_id" \(it has: account_id\)/,
      ),
      'sources/t.yml:10: streams.a.columns.day.from: slice.start exists only in a stream with partition.date_range; this stream has none',
      'sources/t.yml:11: streams.a.columns.campaign.from: parent.id exists only in a dependent stream (one with parent)',
    ]);
  });

  it('asks every client for a param a column reads', () => {
    const problems = validate('    columns:\n      currency: { type: varchar(3), from: client.currency }\n', {
      c: 'client: c\nsources:\n  t: { params: { account_id: "1" } }\n',
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /clients\/c\.yml:\d+: sources\.t\.params: source "t" reads from: client\.currency \(\S*sources\/t\.yml:8\) but this client gives no param "currency" \(it gives: account_id\); add it$/,
      ),
    ]);
  });

  it('refuses formats that do not fit the type, pattern typos and bad paths, saying what to write', () => {
    expect(
      validate(
        [
          '    columns:',
          '      a: { type: date, format: YYYY-MM-DD }',
          '      b: { type: bigint, format: percent }',
          '      c: { type: varchar(8), thousands: "," }',
          '      d: { type: "decimal(9,2)", thousands: "." }',
          '      e: { type: bigint, from: "actions[?action_type>1].value" }',
          '      f: { type: bigint, from: actions.value, matches: sum }',
          '      g: { type: varchar(8), from: "actions[*].type", matches: sum }',
          '      h: { type: timestamp, timezone: Mars/Olympus }',
          '      i: { type: date, format: "M/dyyyy" }',
          '',
        ].join('\n'),
      ).map((line) => line.replace(/^sources\/t\.yml:\d+: streams\.a\.columns\./, '')),
    ).toEqual([
      expect.stringMatching(/^a\.format: Y is a week-based year/),
      expect.stringMatching(/^b\.format: a whole-number column has no format/),
      'c.thousands: only numbers have separators (this column is varchar(8))',
      'd.thousands: "." is also the decimal mark; set decimal too (e.g. decimal: ",")',
      expect.stringMatching(/^e\.from: expected == or != after action_type/),
      'f.matches: applies only to a path with [*] or a filter, which may select several values',
      'g.matches: sum adds numbers; this column is varchar(8) (use first or last)',
      'h.timezone: "Mars/Olympus" is not an IANA time zone; use a name like UTC or America/New_York',
      expect.stringMatching(/^i\.format: a 1-or-2-digit field .* followed directly by digits/),
    ]);
  });

  it('refuses a records path with a filter, sharing the path language of the readers', () => {
    expect(validate('    columns: { id: bigint }\n    records: "$.data[?type==\'x\']"\n')).toEqual([
      expect.stringMatching(/streams\.a\.records: a records path cannot filter/),
    ]);
  });
});
