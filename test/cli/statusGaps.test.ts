import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerStatusCommand } from '../../cli/commands/status';
import { bareProgram, runCli } from './support/runCli';
import { FULL_PIPELINE, seedRun, type SeedItem } from './support/seedRunState';

let dir: string;
let dataDir: string;
let configDir: string;

const day = (date: string, stages = FULL_PIPELINE, final: SeedItem['final'] = { rowsLoaded: 2 }): SeedItem => ({
  itemId: `i-${date}`,
  client: 'acme',
  source: 'ads',
  stream: 'daily',
  partition: `date=${date}`,
  stages,
  final,
});
const failed = (date: string, error: string) => day(date, ['planned', 'extracting', 'failed'], { error });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dif-status-gaps-'));
  dataDir = join(dir, 'data');
  configDir = join(dir, 'config');
  mkdirSync(join(configDir, 'sources'), { recursive: true });
  mkdirSync(join(configDir, 'clients'), { recursive: true });
  writeFileSync(
    join(configDir, 'sources', 'ads.yml'),
    `name: ads
base_url: https://ads.example.com
streams:
  daily:
    partition: { date_range: { start: "2026-01-01", end: "2026-01-04", lookback: P1D } }
    request: { path: /daily }
    columns: { id: bigint }
    load: { table: daily }
`,
  );
  writeFileSync(join(configDir, 'clients', 'acme.yml'), 'client: acme\nsources:\n  ads: {}\n');
  await seedRun(dataDir, { runId: 'run-1', status: 'failed', startedAt: '2026-01-05T06:00:00.000Z' }, [
    day('2026-01-01'),
    failed('2026-01-02', 'Extract.HttpError: HTTP 503 from https://ads.example.com/daily'),
    day('2026-01-03'),
    failed('2026-01-04', 'Extract.ReportJobFailed: the platform failed report job 7'),
  ]);
  // The next run loaded 01-04 (inside the lookback window) but 01-02 failed again.
  await seedRun(dataDir, { runId: 'run-2', status: 'failed', startedAt: '2026-01-05T12:00:00.000Z' }, [
    failed('2026-01-02', 'Extract.HttpError: HTTP 500 from https://ads.example.com/daily'),
    day('2026-01-04'),
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const status = (...args: string[]) =>
  runCli(
    bareProgram((program) => registerStatusCommand(program, { now: () => new Date('2026-01-05T13:00:00.000Z') })),
    ['status', '--config', configDir, '--data-dir', dataDir, ...args],
  );

describe('dif status: gaps', () => {
  it('lists the partitions that never loaded with their last error, and exits 1', async () => {
    const result = await status();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/acme\s+ads\s+daily\s+\S+\s+2\s+.*OK\s+1\n/);
    expect(result.stdout).toContain('acme/ads/daily: 1 partition(s) never loaded');
    expect(result.stdout).toMatch(
      /date=2026-01-02 {2}\(failed \S+, run run-2\): Extract\.HttpError: HTTP 500 from https:\/\/ads\.example\.com\/daily/,
    );
    expect(result.stdout).not.toContain('date=2026-01-04');
    expect(result.stderr).toContain(
      '1 partition(s) never loaded in acme/ads/daily; the next `dif run` plans them again',
    );
  });

  it('gives every gap in --json', async () => {
    const result = await status('--json');
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.gaps).toBe(1);
    expect(parsed.streams[0].gaps).toEqual([
      expect.objectContaining({
        partition: 'date=2026-01-02',
        failedRunId: 'run-2',
        error: expect.stringContaining('HTTP 500'),
      }),
    ]);
  });
});
