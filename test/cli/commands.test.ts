import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main';
import { PROJECT_ROOT } from '../../cli/paths';
import { registerStatusCommand } from '../../cli/commands/status';
import { openLocalQueues } from '../../shared/adapters/local/openLocalQueues';
import { bareProgram, runCli } from './support/runCli';
import { FULL_PIPELINE, seedRun } from './support/seedRunState';

const START = '2026-01-15T06:00:00.000Z';
const ident = { client: 'acme', source: 'ads' };

let dir: string;
let dataDir: string;
let configDir: string;
const dif = (...args: string[]) => runCli(buildProgram, args);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dif-cli-'));
  dataDir = join(dir, 'data');
  configDir = join(dir, 'config');
  mkdirSync(join(configDir, 'sources'), { recursive: true });
  mkdirSync(join(configDir, 'clients'), { recursive: true });
  writeFileSync(
    join(configDir, 'sources', 'ads.yml'),
    `name: ads
base_url: https://ads.example.com
streams:
  campaigns:
    request: { path: /campaigns }
    records: $.data
    columns: { id: bigint }
    primary_key: [id]
    load: { table: campaigns, mode: merge }
  stats:
    request: { path: /stats }
    records: $.data
    columns: { id: bigint }
    primary_key: [id]
    load: { table: stats, mode: merge }
`,
  );
  writeFileSync(
    join(configDir, 'clients', 'acme.yml'),
    'client: acme\nsla: { fresh_within: 12h }\nsources:\n  ads: {}\n',
  );
  // An older successful run and a newer one where one item failed.
  await seedRun(
    dataDir,
    { runId: 'run-1', status: 'succeeded', startedAt: START, finishedAt: '2026-01-15T06:00:09.000Z' },
    [
      {
        itemId: 'i-campaigns',
        ...ident,
        stream: 'campaigns',
        partition: 'all',
        stages: FULL_PIPELINE,
        final: { pages: 3, recordsIn: 6, recordsOut: 6, recordsRejected: 0, rowsLoaded: 6, table: 'acme.campaigns' },
      },
      {
        itemId: 'i-stats',
        ...ident,
        stream: 'stats',
        partition: 'all',
        stages: FULL_PIPELINE,
        offsetMs: 500,
        final: {
          pages: 2,
          recordsIn: 40,
          recordsOut: 39,
          recordsRejected: 1,
          rowsLoaded: 39,
          table: 'acme.stats',
          childRows: { 'acme.stat_actions': 70 },
        },
      },
    ],
  );
  await seedRun(
    dataDir,
    { runId: 'run-2', status: 'failed', startedAt: '2026-01-15T12:00:00.000Z', finishedAt: '2026-01-15T12:01:00.000Z' },
    [
      {
        itemId: 'i-campaigns',
        ...ident,
        stream: 'campaigns',
        partition: 'all',
        stages: FULL_PIPELINE,
        final: { pages: 3, recordsIn: 7, recordsOut: 7, rowsLoaded: 7, table: 'acme.campaigns' },
      },
      {
        itemId: 'i-stats',
        ...ident,
        stream: 'stats',
        partition: 'all',
        stages: ['planned', 'extracting', 'failed'],
        final: { pages: 1, error: 'Extract.HttpError: GET /stats returned 401 Unauthorized; check the credentials' },
      },
    ],
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dif runs', () => {
  it('lists runs newest first with status, duration, items ok/failed and rows', async () => {
    const result = await dif('runs', 'list', '--data-dir', dataDir);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+STATUS\s+STARTED\s+DURATION\s+ITEMS\s+OK\s+FAILED\s+ROWS$/);
    expect(lines[2]).toMatch(/^run-2\s+failed\s+2026-01-15T12:00:00.000Z\s+1m 00s\s+2\s+1\s+1\s+7$/);
    // run-1's 45 rows plus the 70 of its child table.
    expect(lines[3]).toMatch(/^run-1\s+succeeded\s+2026-01-15T06:00:00.000Z\s+9.0s\s+2\s+2\s+0\s+115$/);
  });

  it('prints JSON for scripts and honours --limit', async () => {
    const result = await dif('runs', 'list', '--data-dir', dataDir, '--json', '--limit', '1');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        runId: 'run-2',
        status: 'failed',
        startedAt: '2026-01-15T12:00:00.000Z',
        finishedAt: '2026-01-15T12:01:00.000Z',
        durationMs: 60_000,
        items: 2,
        ok: 1,
        failed: 1,
        pending: 0,
        rowsLoaded: 7,
      },
    ]);
  });

  it('says so when a data directory has no runs, without creating files there', async () => {
    const empty = join(dir, 'empty');
    const result = await dif('runs', 'list', '--data-dir', empty);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('no runs in') });
    expect(existsSync(empty)).toBe(false);
  });

  it('rejects a bad --limit with exit 1', async () => {
    expect(await dif('runs', 'list', '--data-dir', dataDir, '--limit', 'ten')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--limit must be a whole number'),
    });
  });

  it('shows a run item by item, with the error of the failed one', async () => {
    const result = await dif('runs', 'show', 'run-2', '--data-dir', dataDir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('status:   failed');
    expect(result.stdout).toContain('items:    2 (1 loaded, 1 failed, 0 not finished) · rows loaded 7');
    const table = result.stdout.split('\n').filter((line) => line.startsWith('acme/'));
    expect(table[0]).toMatch(/^acme\/ads\/campaigns\/all\s+loaded\s+1\s+3\s+7\s+7\s+0\s+7$/);
    expect(table[1]).toMatch(
      /^acme\/ads\/stats\/all\s+failed\s+1\s+1\s+0\s+0\s+0\s+0\s+Extract\.HttpError: GET \/stats returned 401 Unauthorized; check the credentials$/,
    );
  });

  it('shows the rows of child tables in their own column when a stream has them', async () => {
    const result = await dif('runs', 'show', 'run-1', '--data-dir', dataDir);
    expect(result.stdout).toContain('rows loaded 115');
    const lines = result.stdout.split('\n');
    expect(lines.find((line) => line.startsWith('ITEM'))).toMatch(/\sROWS\s+CHILD ROWS\s+ERROR$/);
    expect(lines.find((line) => line.startsWith('acme/ads/stats'))).toMatch(/\s39\s+70$/);
  });

  it('shows a run as JSON with every item and its stage times', async () => {
    const result = await dif('runs', 'show', 'run-1', '--data-dir', dataDir, '--json');
    const run = JSON.parse(result.stdout);
    expect(run).toMatchObject({ runId: 'run-1', status: 'succeeded', totals: { ok: 2, rowsLoaded: 115 } });
    expect(run.items.map((item: { label: string }) => item.label)).toEqual([
      'acme/ads/campaigns/all',
      'acme/ads/stats/all',
    ]);
    expect(Object.keys(run.items[0].stageTimes)).toEqual(FULL_PIPELINE);
  });

  it('exits 1 with a clear message when the run does not exist', async () => {
    const result = await dif('runs', 'show', 'run-404', '--data-dir', dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`run run-404 not found in ${dataDir}; list the runs there with \`dif runs list\``);
    expect(result.stdout).toBe('');
  });
});

describe('dif status', () => {
  const statusAt = (at: string, ...args: string[]) =>
    runCli(
      bareProgram((program) => registerStatusCommand(program, { now: () => new Date(at) })),
      ['status', '--config', configDir, '--data-dir', dataDir, ...args],
    );

  it('is ok within the SLA: last load, rows, age per stream, exit 0', async () => {
    const result = await statusAt('2026-01-15T13:00:00.000Z');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CLIENT\s+SOURCE\s+STREAM\s+LAST LOAD\s+ROWS\s+AGE\s+SLA\s+STATE\s+GAPS$/);
    // campaigns was loaded again by run-2 (12:00:06); stats last loaded by run-1 (06:00:06.5).
    expect(lines[2]).toMatch(/^acme\s+ads\s+campaigns\s+2026-01-15T12:00:06.000Z\s+7\s+59m 54s\s+12h\s+OK\s+0$/);
    expect(lines[3]).toMatch(/^acme\s+ads\s+stats\s+2026-01-15T06:00:06.500Z\s+39\s+6h 59m\s+12h\s+OK\s+0$/);
  });

  it('turns late, and exits 1, when a stream misses its SLA', async () => {
    const result = await statusAt('2026-01-15T18:30:00.000Z');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/acme\s+ads\s+campaigns\s+.*\s+OK\s+0\n/);
    expect(result.stdout).toMatch(/acme\s+ads\s+stats\s+.*\s+12h\s+LATE/);
    expect(result.stderr).toContain('1 of 2 stream(s) late: acme/ads/stats');
  });

  it('prints JSON with the same verdict and still exits 1 when late', async () => {
    const result = await statusAt('2026-01-16T01:00:00.000Z', '--json');
    expect(result.code).toBe(1);
    const status = JSON.parse(result.stdout);
    expect(status).toMatchObject({ checkedAt: '2026-01-16T01:00:00.000Z', late: 2, never: 0 });
    expect(status.streams.map((row: { state: string }) => row.state)).toEqual(['late', 'late']);
  });

  it('reports never-loaded streams, failing on them only with --strict', async () => {
    const empty = join(dir, 'no-runs');
    const relaxed = await runCli(buildProgram, ['status', '--config', configDir, '--data-dir', empty]);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toMatch(/acme\s+ads\s+campaigns\s+-\s+0\s+-\s+12h\s+NEVER/);
    const strict = await runCli(buildProgram, ['status', '--config', configDir, '--data-dir', empty, '--strict']);
    expect(strict).toMatchObject({ code: 1, stderr: expect.stringContaining('2 stream(s) never loaded') });
  });

  it('exits 1 naming the known clients when --client is unknown', async () => {
    expect(await statusAt(START, '--client', 'nobody')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('known clients: acme'),
    });
  });
});

describe('dif report', () => {
  it('writes a self-contained page for the run and says where', async () => {
    const file = join(dir, 'out', 'run-2.html');
    const result = await dif('report', 'run-2', '--data-dir', dataDir, '--out', file);
    expect(result).toMatchObject({ code: 0, stdout: `wrote the report of run run-2 (2 items) to ${file}\n` });
    const html = readFileSync(file, 'utf8');
    expect(html.match(/<g class="bar"/g)).toHaveLength(2);
    expect(html).toContain('GET /stats returned 401 Unauthorized');
  });

  it('defaults to <data-dir>/reports and can print the page instead', async () => {
    const json = JSON.parse((await dif('report', 'run-1', '--data-dir', dataDir, '--json')).stdout);
    expect(json).toEqual({ runId: 'run-1', file: join(dataDir, 'reports', 'run-1.html'), items: 2 });
    const printed = await dif('report', 'run-1', '--data-dir', dataDir, '--out', '-');
    expect(printed.stdout.startsWith('<!doctype html>')).toBe(true);
  });

  it('exits 1 when the run does not exist', async () => {
    expect(await dif('report', 'run-404', '--data-dir', dataDir)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('run run-404 not found'),
    });
  });
});

describe('dif dlq', () => {
  it('lists nothing in a fresh data directory', async () => {
    expect(await dif('dlq', 'list', '--data-dir', dataDir)).toMatchObject({
      code: 0,
      stdout: 'no dead letters in the transform and load DLQs\n',
    });
  });

  it('exits 1 for an unknown stage or a message that is not a dead letter', async () => {
    expect(await dif('dlq', 'list', '--stage', 'extract', '--data-dir', dataDir)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--stage must be one of transform, load'),
    });
    const queues = openLocalQueues(dataDir);
    await queues.load.send('{}');
    await queues.close();
    const result = await dif('dlq', 'replay', '--stage', 'load', '--message', 'nope', '--data-dir', dataDir);
    expect(result).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('message(s) nope not in the load dead-letter queue'),
    });
  });

  it('requires --stage for a replay', async () => {
    const result = await dif('dlq', 'replay', '--data-dir', dataDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("required option '--stage <stage>' not specified");
  });
});

describe('--help', () => {
  it.each([['runs', 'list'], ['runs', 'show'], ['status'], ['dlq', 'list'], ['dlq', 'replay'], ['report']])(
    'documents dif %s %s',
    async (...words) => {
      const result = await dif(...words.filter(Boolean), '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: dif ${words.filter(Boolean).join(' ')}`);
      expect(result.stdout).toContain('--data-dir <dir>');
    },
  );
});

describe('the dif binary', () => {
  it('exits 1 with one error line on stderr for an unknown run (spawned once: slow)', async () => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'npx',
        ['tsx', join(PROJECT_ROOT, 'cli', 'main.ts'), 'runs', 'show', 'run-404', '--data-dir', dataDir],
        { cwd: PROJECT_ROOT },
        (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: run run-404 not found in ${dataDir}; list the runs there with \`dif runs list\` (or pass --data-dir)\n`,
    });
  }, 60_000);
});
