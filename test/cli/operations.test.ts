import { describe, expect, it } from 'vitest';
import type { DifConfig } from '../../shared/config';
import type { ItemRecord, RunRecord } from '../../shared/ports';
import { assessFreshness, describeDeadLetter, formatDuration, splitError, summarizeRun } from '../../cli/operations';

const HOUR = 3_600_000;
const LOADED_AT = '2026-01-15T06:00:00.000Z';

/** Just the parts of a configuration freshness reads. */
function config(): DifConfig {
  const stream = {} as never;
  return {
    dir: '/config',
    sources: new Map([
      ['ads', { name: 'ads', streams: { campaigns: stream, stats: stream } }],
      ['reports', { name: 'reports', streams: { daily: stream } }],
    ]),
    clients: new Map([
      [
        'acme',
        {
          client: 'acme',
          sla: { fresh_within: '12h' },
          sources: { ads: { params: {}, enabled: true }, reports: { params: {}, enabled: false } },
        },
      ],
      ['globex', { client: 'globex', sources: { ads: { params: {}, streams: ['campaigns'], enabled: true } } }],
    ]),
  } as unknown as DifConfig;
}

function loaded(
  runId: string,
  client: string,
  source: string,
  stream: string,
  partition: string,
  at: string,
  rowsLoaded: number,
): ItemRecord {
  return {
    runId,
    itemId: `${stream}-${partition}`,
    client,
    source,
    stream,
    partition,
    stage: 'loaded',
    attempts: 1,
    rowsLoaded,
    stageTimes: { loaded: at },
    updatedAt: at,
  };
}

describe('assessFreshness', () => {
  const loads = [
    loaded('r1', 'acme', 'ads', 'campaigns', 'all', LOADED_AT, 6),
    loaded('r0', 'acme', 'ads', 'stats', 'date=2026-01-13', '2026-01-14T06:00:00.000Z', 40),
    loaded('r1', 'acme', 'ads', 'stats', 'date=2026-01-14', LOADED_AT, 30),
    loaded('r1', 'acme', 'ads', 'stats', 'date=2026-01-15', '2026-01-15T05:59:00.000Z', 12),
    loaded('r9', 'acme', 'gone', 'old', 'all', LOADED_AT, 1),
  ];

  it('is ok within the SLA and turns late once the newest load is older than fresh_within', () => {
    const at = (hours: number) => assessFreshness(config(), loads, new Date(Date.parse(LOADED_AT) + hours * HOUR));
    const campaigns = (hours: number) => at(hours).find((row) => row.client === 'acme' && row.stream === 'campaigns')!;
    expect(campaigns(1)).toMatchObject({
      state: 'ok',
      ageMs: HOUR,
      freshWithin: '12h',
      lastRunId: 'r1',
      rows: 6,
      partitions: 1,
    });
    expect(campaigns(12).state).toBe('ok');
    expect(campaigns(12.01).state).toBe('late');
  });

  it('takes the newest partition load for the age and sums the rows of that run', () => {
    const stats = assessFreshness(config(), loads, new Date(Date.parse(LOADED_AT) + 2 * HOUR)).find(
      (row) => row.stream === 'stats',
    )!;
    expect(stats).toMatchObject({
      state: 'ok',
      lastLoadedAt: LOADED_AT,
      lastRunId: 'r1',
      rows: 42,
      partitions: 3,
      ageMs: 2 * HOUR,
    });
  });

  it('lists every enabled configured stream, never-loaded ones as never, and ignores unconfigured loads', () => {
    const rows = assessFreshness(config(), loads, new Date(Date.parse(LOADED_AT) + 20 * HOUR));
    expect(rows.map((row) => `${row.client}/${row.source}/${row.stream}:${row.state}`)).toEqual([
      'acme/ads/campaigns:late',
      'acme/ads/stats:late',
      'globex/ads/campaigns:never',
    ]);
  });

  it('never calls a client without an SLA late', () => {
    const old = [loaded('r1', 'globex', 'ads', 'campaigns', 'all', '2020-01-01T00:00:00.000Z', 3)];
    const [row] = assessFreshness(config(), old, new Date(LOADED_AT)).filter((entry) => entry.client === 'globex');
    expect(row).toMatchObject({ state: 'ok', rows: 3 });
    expect(row!.freshWithin).toBeUndefined();
  });
});

describe('summarizeRun', () => {
  const run: RunRecord = { runId: 'r1', status: 'running', startedAt: '2026-01-15T06:00:00.000Z' };
  const item = (itemId: string, stage: ItemRecord['stage'], rowsLoaded?: number): ItemRecord => ({
    runId: 'r1',
    itemId,
    client: 'c',
    source: 's',
    stream: itemId,
    partition: 'all',
    stage,
    attempts: 1,
    stageTimes: {},
    updatedAt: '',
    ...(rowsLoaded === undefined ? {} : { rowsLoaded }),
  });

  it('counts loaded, failed and unfinished items and measures a running run until now', () => {
    const summary = summarizeRun(
      run,
      [item('a', 'loaded', 10), item('b', 'failed'), item('c', 'transforming'), item('d', 'loaded', 5)],
      new Date('2026-01-15T06:01:30.000Z'),
    );
    expect(summary).toEqual({
      runId: 'r1',
      status: 'running',
      startedAt: run.startedAt,
      durationMs: 90_000,
      items: 4,
      ok: 2,
      failed: 1,
      pending: 1,
      rowsLoaded: 15,
    });
  });

  it('measures a finished run until it finished', () => {
    expect(
      summarizeRun({ ...run, status: 'succeeded', finishedAt: '2026-01-15T06:00:05.000Z' }, [], new Date('2027-01-01'))
        .durationMs,
    ).toBe(5000);
  });
});

describe('describeDeadLetter', () => {
  const base = {
    id: 'm1',
    receiveCount: 5,
    sentAt: new Date('2026-01-15T06:00:00Z'),
    deadAt: new Date('2026-01-15T06:05:00Z'),
  };

  it('reads run, item and label from the body and ages the message from when it was sent', () => {
    const body = JSON.stringify({
      runId: 'r1',
      itemId: 'i1',
      client: 'acme',
      source: 'ads',
      stream: 'campaigns',
      partition: 'all',
    });
    expect(
      describeDeadLetter({ ...base, body, lastError: 'connection refused' }, new Date('2026-01-15T07:00:00Z')),
    ).toEqual({
      messageId: 'm1',
      runId: 'r1',
      itemId: 'i1',
      label: 'acme/ads/campaigns/all',
      error: 'connection refused',
      receiveCount: 5,
      sentAt: '2026-01-15T06:00:00.000Z',
      deadAt: '2026-01-15T06:05:00.000Z',
      ageMs: HOUR,
    });
  });

  it('still describes a body that is not JSON', () => {
    const view = describeDeadLetter({ ...base, body: 'not json {' }, new Date('2026-01-15T06:00:01Z'));
    expect(view).toEqual({
      messageId: 'm1',
      receiveCount: 5,
      sentAt: '2026-01-15T06:00:00.000Z',
      deadAt: '2026-01-15T06:05:00.000Z',
      ageMs: 1000,
    });
  });
});

describe('splitError and formatDuration', () => {
  it('splits a stage error code from its cause, and leaves plain text whole', () => {
    expect(splitError('Load.RetriesExhausted: refused: port 1')).toEqual({
      code: 'Load.RetriesExhausted',
      cause: 'refused: port 1',
    });
    expect(splitError('socket hang up: x')).toEqual({ cause: 'socket hang up: x' });
  });

  it('formats durations for people', () => {
    expect([450, 4_200, 9_990, 42_000, 59_900, 185_000, 3_725_000, 90_000_000].map(formatDuration)).toEqual([
      '450ms',
      '4.2s',
      '9.9s',
      '42s',
      '59s',
      '3m 05s',
      '1h 02m',
      '1d 1h',
    ]);
  });
});
