import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../cli/main';
import { startDemoApi, type DemoApi } from '../../demo';
import { SqliteRunStateStore } from '../../shared/adapters/local/SqliteRunStateStore';
import { runCli } from './support/runCli';

/** `dif backfill` in process against the demo API: the same state machine, exactly the window's slices. */
describe('dif backfill', () => {
  let api: DemoApi;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dif-backfill-'));
    api = await startDemoApi();
    process.env.DIF_DEMO_API_URL = api.url;
  });
  afterAll(async () => {
    delete process.env.DIF_DEMO_API_URL;
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans exactly the date slices overlapping --from..--to and loads them', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    let result;
    let printed: string[];
    try {
      result = await runCli(buildProgram, [
        'backfill',
        '--client',
        'initech',
        '--source',
        'graph_ads',
        '--from',
        '2026-02-09',
        '--to',
        '2026-02-09',
        '--data-dir',
        dir,
        '--json',
      ]);
      printed = log.mock.calls.map((call) => String(call[0]));
    } finally {
      log.mockRestore();
    }
    expect(result.code, printed.join('\n')).toBe(0);
    expect(JSON.parse(printed.at(-1)!)).toMatchObject({ status: 'succeeded', items: 2 });
    const state = SqliteRunStateStore.open(join(dir, 'state.db'));
    try {
      const [run] = await state.listRuns(1);
      expect(run?.trigger).toMatchObject({ by: 'dif backfill', backfill: { from: '2026-02-09', to: '2026-02-09' } });
      const items = await state.listItems(run!.runId);
      // Only campaign_insights has a date range; one slice per account, on the P7D grid from 02-01.
      expect(items.map((item) => `${item.stream}/${item.partition}:${item.stage}`).sort()).toEqual([
        'campaign_insights/account_id=1002/slice=2026-02-08..2026-02-10:loaded',
        'campaign_insights/account_id=1003/slice=2026-02-08..2026-02-10:loaded',
      ]);
    } finally {
      await state.close();
    }
  }, 60_000);

  it('refuses an impossible date or a window that ends before it starts, before running anything', async () => {
    const base = ['backfill', '--client', 'initech', '--source', 'graph_ads', '--data-dir', dir];
    expect(await runCli(buildProgram, [...base, '--from', '2026-02-30', '--to', '2026-03-01'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--from "2026-02-30" is not a calendar date'),
    });
    expect(await runCli(buildProgram, [...base, '--from', '2026-02-10', '--to', '2026-02-01'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--from 2026-02-10 is after --to 2026-02-01'),
    });
  });
});
