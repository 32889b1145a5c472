import { describe, expect, it } from 'vitest';
import { planPartitions } from '../../../services/runs/partition/planPartitions';
import { stream as streamSchema } from '../../../shared/config/schema/stream';

const base = { request: { path: '/x' }, columns: { id: 'bigint' }, load: { table: 't' } };
const streamWith = (partition: unknown) => streamSchema.parse({ ...base, partition });

describe('planPartitions', () => {
  it('is one `all` partition for an unpartitioned stream', () => {
    expect(planPartitions(streamSchema.parse(base), {}, new Date(), 'w')).toEqual([
      { partition: 'all', values: {}, refresh: true },
    ]);
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

  it('resolves yesterday in the configured time zone and marks only the lookback window for refresh', () => {
    // 2026-03-10 03:00 UTC is still 2026-03-09 in New York: yesterday there is 2026-03-08.
    const now = new Date('2026-03-10T03:00:00Z');
    const stream = streamWith({
      date_range: { start: '2026-03-01', end: 'yesterday', timezone: 'America/New_York', lookback: 'P3D' },
    });
    const parts = planPartitions(stream, {}, now, 'w');
    expect(parts.at(-1)!.partition).toBe('date=2026-03-08');
    expect(parts).toHaveLength(8);
    expect(parts.filter((part) => part.refresh).map((part) => part.partition)).toEqual([
      'date=2026-03-06',
      'date=2026-03-07',
      'date=2026-03-08',
    ]);
    const utc = planPartitions(streamWith({ date_range: { start: '2026-03-01', end: 'yesterday' } }), {}, now, 'w');
    expect(utc.at(-1)!.partition).toBe('date=2026-03-09');
    expect(utc.every((part) => part.refresh)).toBe(true);
  });

  it('keeps multi-day slices on the grid of the configured start inside the lookback window', () => {
    const stream = streamWith({ date_range: { start: '2026-02-01', end: '2026-02-10', step: 'P7D', lookback: 'P3D' } });
    const parts = planPartitions(stream, {}, new Date(), 'w');
    expect(parts.map((part) => [part.partition, part.refresh])).toEqual([
      ['slice=2026-02-01..2026-02-07', false],
      ['slice=2026-02-08..2026-02-10', true],
    ]);
  });

  it('refuses an impossible calendar date instead of planning nothing', () => {
    const stream = streamWith({ date_range: { start: '{{ client.from }}', end: '2026-03-10' } });
    expect(() => planPartitions(stream, { client: { from: '2026-02-30' } }, new Date(), 'clients/acme.yml')).toThrow(
      /clients\/acme\.yml: date_range\.start is "2026-02-30", which is not a calendar date .*fix the day or month/,
    );
    const end = streamWith({ date_range: { start: '2026-01-01', end: '{{ client.to }}' } });
    expect(() => planPartitions(end, { client: { to: '2026-13-01' } }, new Date(), 'w')).toThrow(
      /date_range\.end is "2026-13-01"/,
    );
    // Written literally in a source, the schema refuses it already (`dif validate`, with its line).
    expect(() => streamWith({ date_range: { start: '2026-02-30' } })).toThrow(/2026-02-30.* is not a calendar date/);
  });

  it('widens a range that starts yesterday back to the oldest partition run state knows', () => {
    const now = new Date('2026-03-10T12:00:00Z');
    const stream = streamWith({ date_range: { start: 'yesterday', end: 'yesterday' } });
    expect(planPartitions(stream, {}, now, 'w').map((part) => part.partition)).toEqual(['date=2026-03-09']);
    const widened = planPartitions(stream, {}, now, 'w', { earliestKnown: '2026-03-07' });
    expect(widened.map((part) => [part.partition, part.refresh])).toEqual([
      ['date=2026-03-07', false],
      ['date=2026-03-08', false],
      ['date=2026-03-09', true],
    ]);
    // A fixed start is the user's decision: it is never widened.
    const fixed = streamWith({ date_range: { start: '2026-03-09', end: 'yesterday' } });
    expect(planPartitions(fixed, {}, now, 'w', { earliestKnown: '2026-03-01' })).toHaveLength(1);
  });

  it('plans a rolling window from {{ today - P28D }} in the range time zone, widened back like `yesterday`', () => {
    // 2026-03-10 03:00 UTC is 2026-03-09 in New York: today there is the 9th, 28 days back the 9th of February.
    const now = new Date('2026-03-10T03:00:00Z');
    const stream = streamWith({
      date_range: { start: '{{ today - P28D }}', end: 'yesterday', timezone: 'America/New_York', lookback: 'P3D' },
    });
    const parts = planPartitions(stream, {}, now, 'w');
    expect(parts[0]!.partition).toBe('date=2026-02-09');
    expect(parts.at(-1)!.partition).toBe('date=2026-03-08');
    expect(parts).toHaveLength(28);
    // A day that never loaded before the moving start stays planned (no silent gap).
    const widened = planPartitions(stream, {}, now, 'w', { earliestKnown: '2026-02-07' });
    expect(widened.slice(0, 2).map((part) => [part.partition, part.refresh])).toEqual([
      ['date=2026-02-07', false],
      ['date=2026-02-08', false],
    ]);
  });

  it('takes the attribution window (lookback) from a client param when the stream says so', () => {
    const stream = streamWith({
      date_range: {
        start: '2026-03-01',
        end: '2026-03-20',
        lookback: '{{ client.attribution_window | default:P7D }}',
      },
    });
    const refreshed = (params: Record<string, string>) =>
      planPartitions(stream, { client: params }, new Date(), 'w').filter((part) => part.refresh).length;
    expect(refreshed({})).toBe(7);
    expect(refreshed({ attribution_window: 'P14D' })).toBe(14);
    expect(() => refreshed({ attribution_window: '14 days' })).toThrow(
      'w: date_range.lookback is "14 days" (from {{ client.attribution_window | default:P7D }}); expected an ISO duration such as P7D or P28D',
    );
  });

  it('plans a backfill window on the slice grid of the configured range', () => {
    const stream = streamWith({
      list: { account_id: ['1'] },
      date_range: { start: '2026-01-01', end: '2026-01-31', step: 'P7D', lookback: 'P3D' },
    });
    const parts = planPartitions(stream, {}, new Date(), 'w', { backfill: { from: '2026-01-10', to: '2026-01-16' } });
    expect(parts.map((part) => part.partition)).toEqual([
      'account_id=1/slice=2026-01-08..2026-01-14',
      'account_id=1/slice=2026-01-15..2026-01-21',
    ]);
    const daily = streamWith({ date_range: { start: '2026-01-01', end: 'yesterday' } });
    const days = planPartitions(daily, {}, new Date('2026-02-01T00:00:00Z'), 'w', {
      backfill: { from: '2026-01-30', to: '2026-01-31' },
    });
    expect(days.map((part) => part.partition)).toEqual(['date=2026-01-30', 'date=2026-01-31']);
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
