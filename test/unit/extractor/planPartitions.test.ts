import { describe, expect, it } from 'vitest';
import { planPartitions } from '../../../services/extractor/partition/planPartitions';
import { stream as streamSchema } from '../../../shared/config/schema/stream';

const base = { request: { path: '/x' }, columns: { id: 'bigint' }, load: { table: 't' } };
const streamWith = (partition: unknown) => streamSchema.parse({ ...base, partition });

describe('planPartitions', () => {
  it('is one `all` partition for an unpartitioned stream', () => {
    expect(planPartitions(streamSchema.parse(base), {}, new Date(), 'w')).toEqual([{ partition: 'all', values: {} }]);
  });

  it('makes the product of lists (literal or from client params) and date slices', () => {
    const stream = streamWith({
      list: { account_id: '{{ client.ids }}', region: ['eu'] },
      date_range: { start: '2026-01-01', end: '2026-01-10', step: 'P7D' },
    });
    const parts = planPartitions(stream, { client: { ids: '1, 2' } }, new Date(), 'w');
    expect(parts.map((part) => part.partition)).toEqual([
      'account_id=1/region=eu/slice=2026-01-01..2026-01-07',
      'account_id=1/region=eu/slice=2026-01-08..2026-01-10',
      'account_id=2/region=eu/slice=2026-01-01..2026-01-07',
      'account_id=2/region=eu/slice=2026-01-08..2026-01-10',
    ]);
    expect(parts[1]!.values).toEqual({
      account_id: '1',
      region: 'eu',
      slice_start: '2026-01-08',
      slice_end: '2026-01-10',
    });
  });

  it('resolves yesterday in the configured time zone and applies lookback after the first load', () => {
    // 2026-03-10 03:00 UTC is still 2026-03-09 in New York: yesterday there is 2026-03-08.
    const now = new Date('2026-03-10T03:00:00Z');
    const stream = streamWith({
      date_range: { start: '2026-03-01', end: 'yesterday', timezone: 'America/New_York', lookback: 'P3D' },
    });
    const first = planPartitions(stream, {}, now, 'w');
    expect(first.at(-1)!.partition).toBe('date=2026-03-08');
    expect(first).toHaveLength(8);
    const later = planPartitions(stream, {}, now, 'w', { loadedBefore: true });
    expect(later.map((part) => part.partition)).toEqual(['date=2026-03-06', 'date=2026-03-07', 'date=2026-03-08']);
    const utc = planPartitions(streamWith({ date_range: { start: '2026-03-01', end: 'yesterday' } }), {}, now, 'w');
    expect(utc.at(-1)!.partition).toBe('date=2026-03-09');
  });

  it('says which setting is wrong', () => {
    expect(() =>
      planPartitions(
        streamWith({ date_range: { start: '{{ client.from }}' } }),
        { client: { from: '01/02/2026' } },
        new Date(),
        'sources/x.yml streams.s.partition',
      ),
    ).toThrow(/sources\/x\.yml streams\.s\.partition: date_range\.start is "01\/02\/2026"; expected YYYY-MM-DD/);
    expect(() =>
      planPartitions(streamWith({ list: { a: '{{ client.ids }}' } }), { client: { ids: '' } }, new Date(), 'w'),
    ).toThrow(/partition list "a" is empty/);
  });
});
