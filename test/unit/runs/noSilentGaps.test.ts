import { planItems } from '../../support/planItems';
import { afterEach, describe, expect, it } from 'vitest';
import { plan } from '../../../services/runs/handlers/plan';
import { finalize } from '../../../services/runs/handlers/finalize';
import type { RunStateStore } from '../../../shared/ports';
import { configFrom, extractorContext, type ExtractorTestContext } from '../../support/extractorContext';

const source = `name: t
base_url: "http://127.0.0.1:9"
streams:
  daily:
    partition: { date_range: { start: "{{ client.start_date }}", end: "2026-01-10", lookback: P2D } }
    request: { path: /x }
    columns: { id: bigint }
    load: { table: daily }
`;
const client = (name: string, extra = '') =>
  `client: ${name}\nsources:\n  t: { params: { start_date: "2026-01-01" }${extra} }\n`;

/** Marks every item of a run loaded, except the named partitions, which fail with `error`. */
async function deliver(state: RunStateStore, runId: string, failing: Record<string, string> = {}): Promise<void> {
  for (const item of await state.listItems(runId)) {
    const error = failing[item.partition];
    await state.updateItem(runId, item.itemId, error ? { stage: 'failed', error } : { stage: 'loaded', rowsLoaded: 1 });
  }
}

describe('no silent gaps', () => {
  let env: ExtractorTestContext;
  afterEach(async () => env?.close());

  const open = (clients: Record<string, string>) => {
    env = extractorContext(configFrom({ sources: { t: source }, clients }), {
      now: () => new Date('2026-01-11T06:00:00Z'),
    });
    return env.ctx;
  };
  const partitions = (items: { partition: string }[]) => items.map((item) => item.partition);

  it('plans a slice that failed before the lookback window again on every run until it loads, and fails the run that leaves it', async () => {
    const ctx = open({ c: client('c') });
    const state = ctx.ports.runState;
    const first = await planItems(ctx, { runId: 'r1' });
    expect(first.itemCount).toBe(10);
    await deliver(state, 'r1', { 'date=2026-01-03': 'Extract.HttpError: HTTP 503 from http://127.0.0.1:9/x' });
    const summary1 = await finalize(ctx, { runId: 'r1' });
    expect(summary1.status).toBe('failed');
    expect(summary1.gaps?.map((gap) => gap.label)).toEqual(['c/t/daily/date=2026-01-03']);
    expect(summary1.failureCause).toContain('1 partition(s) have never loaded (gaps): c/t/daily/date=2026-01-03');

    // The lookback window (01-09, 01-10) and the gap, not only the window.
    const second = await planItems(ctx, { runId: 'r2' });
    expect(partitions(second.items)).toEqual(['date=2026-01-03', 'date=2026-01-09', 'date=2026-01-10']);
    await deliver(state, 'r2', { 'date=2026-01-03': 'Extract.HttpError: HTTP 500' });
    expect((await finalize(ctx, { runId: 'r2' })).status).toBe('failed');

    const third = await planItems(ctx, { runId: 'r3' });
    expect(partitions(third.items)).toEqual(['date=2026-01-03', 'date=2026-01-09', 'date=2026-01-10']);
    await deliver(state, 'r3');
    const summary3 = await finalize(ctx, { runId: 'r3' });
    expect(summary3).toMatchObject({ status: 'succeeded' });
    expect(summary3.gaps).toBeUndefined();

    // Filled: from now on only the lookback window.
    expect(partitions((await planItems(ctx, { runId: 'r4' })).items)).toEqual(['date=2026-01-09', 'date=2026-01-10']);
  });

  it('does not call a failed refresh of a partition that loaded before a gap, but still fails the run', async () => {
    const ctx = open({ c: client('c') });
    await planItems(ctx, { runId: 'r1' });
    await deliver(ctx.ports.runState, 'r1');
    await planItems(ctx, { runId: 'r2' });
    await deliver(ctx.ports.runState, 'r2', { 'date=2026-01-10': 'Extract.HttpError: HTTP 503' });
    const summary = await finalize(ctx, { runId: 'r2' });
    expect(summary.status).toBe('failed');
    expect(summary.gaps).toBeUndefined();
  });

  it('lets a run with allow_partial succeed, listing the gap in its summary', async () => {
    const ctx = open({ p: client('p', ', allow_partial: [daily]'), c: client('c') });
    await planItems(ctx, { runId: 'r1', client: 'p' });
    await deliver(ctx.ports.runState, 'r1', { 'date=2026-01-05': 'Extract.ReportJobFailed: failed' });
    const summary = await finalize(ctx, { runId: 'r1' });
    expect(summary).toMatchObject({ status: 'succeeded', allowedPartial: 1 });
    expect(summary.gaps).toEqual([
      expect.objectContaining({ label: 'p/t/daily/date=2026-01-05', error: 'Extract.ReportJobFailed: failed' }),
    ]);
    expect((await ctx.ports.runState.getRun('r1'))?.summary).toMatchObject({ status: 'succeeded', gaps: [{}] });
    // The same failure for a client without allow_partial fails its run.
    await planItems(ctx, { runId: 'r2', client: 'c' });
    await deliver(ctx.ports.runState, 'r2', { 'date=2026-01-05': 'Extract.ReportJobFailed: failed' });
    expect((await finalize(ctx, { runId: 'r2' })).status).toBe('failed');
  });

  it('fails items the Map left unfinished, so their partitions count as gaps', async () => {
    const ctx = open({ c: client('c') });
    await planItems(ctx, { runId: 'r1' });
    const [stuck] = await ctx.ports.runState.listItems('r1');
    await deliver(ctx.ports.runState, 'r1');
    await ctx.ports.runState.updateItem('r1', stuck!.itemId, { stage: 'transforming' });
    const summary = await finalize(ctx, { runId: 'r1' });
    expect(summary.gaps).toHaveLength(1);
    expect(await ctx.ports.runState.getItem('r1', stuck!.itemId)).toMatchObject({
      stage: 'failed',
      error: 'did not finish (stopped at stage transforming); see the execution history',
    });
  });

  it('backfills exactly the slices of the window, loaded or not', async () => {
    const ctx = open({ c: client('c') });
    await planItems(ctx, { runId: 'r1' });
    await deliver(ctx.ports.runState, 'r1');
    const backfill = await planItems(ctx, {
      runId: 'r2',
      client: 'c',
      source: 't',
      backfill: { from: '2026-01-02', to: '2026-01-04' },
    });
    expect(partitions(backfill.items)).toEqual(['date=2026-01-02', 'date=2026-01-03', 'date=2026-01-04']);
    expect((await ctx.ports.runState.getRun('r2'))?.trigger).toMatchObject({
      backfill: { from: '2026-01-02', to: '2026-01-04' },
    });
    await expect(plan(ctx, { runId: 'r3', backfill: { from: '2026-01-04', to: '2026-01-02' } })).rejects.toThrow(
      /backfill window ends before it starts/,
    );
  });
});
