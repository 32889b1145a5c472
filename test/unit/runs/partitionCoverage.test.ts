import { describe, expect, it } from 'vitest';
import { earliestKnownDate, findGaps, partitionsToPlan } from '../../../services/runs/partition/partitionCoverage';
import type { PlannedPartition } from '../../../services/runs/partition/planPartitions';

const expected: PlannedPartition[] = [
  { partition: 'date=2026-01-01', values: {}, refresh: false },
  { partition: 'date=2026-01-02', values: {}, refresh: false },
  { partition: 'date=2026-01-03', values: {}, refresh: false },
  { partition: 'date=2026-01-04', values: {}, refresh: true },
];
const at = '2026-01-05T06:00:00.000Z';

describe('expected vs loaded partitions', () => {
  it('plans the refresh window and every partition that never loaded, however old', () => {
    const history = [
      { partition: 'date=2026-01-01', loadedAt: at, loadedRunId: 'r1' },
      { partition: 'date=2026-01-02', failedAt: at, failedRunId: 'r1', error: 'HTTP 503' },
      { partition: 'date=2026-01-04', loadedAt: at, loadedRunId: 'r1' },
    ];
    // 01-02 failed, 01-03 was never tried: both are planned; 01-04 is re-read (lookback).
    expect(partitionsToPlan(expected, history).map((part) => part.partition)).toEqual([
      'date=2026-01-02',
      'date=2026-01-03',
      'date=2026-01-04',
    ]);
  });

  it('reports as gaps the expected partitions that failed and never loaded since, with the last error', () => {
    const history = [
      {
        partition: 'date=2026-01-01',
        loadedAt: at,
        failedAt: '2026-01-06T00:00:00.000Z',
        error: 'later refresh failed',
      },
      { partition: 'date=2026-01-02', failedAt: at, failedRunId: 'r1', error: 'HTTP 503' },
      { partition: 'date=2025-12-01', failedAt: at, error: 'no longer configured' },
    ];
    expect(findGaps(expected, history)).toEqual([
      { partition: 'date=2026-01-02', failedAt: at, failedRunId: 'r1', error: 'HTTP 503' },
    ]);
  });

  it('finds the first date of the oldest known partition, daily or sliced', () => {
    expect(
      earliestKnownDate([
        { partition: 'account_id=1/slice=2026-01-08..2026-01-14' },
        { partition: 'account_id=2/slice=2026-01-01..2026-01-07' },
        { partition: 'all' },
      ]),
    ).toBe('2026-01-01');
    expect(earliestKnownDate([{ partition: 'all' }])).toBeUndefined();
  });
});
