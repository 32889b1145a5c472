import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../../cli/main';
import { DataDirLock, lockFileOf, type LockHolder } from '../../../profiles/local/DataDirLock';
import { DataDirBusyError } from '../../../profiles/local/errors';
import { openLocalPorts } from '../../../profiles/local/openLocalPorts';
import { openSqliteDatabase } from '../../../shared/adapters/local/openSqliteDatabase';
import { openLocalQueues } from '../../../shared/adapters/local/openLocalQueues';
import { SqliteRunStateStore } from '../../../shared/adapters/local/SqliteRunStateStore';
import { runCli } from '../../cli/support/runCli';

/**
 * One writer per data directory (issue 14 §1, DESIGN.md §5): a second process is refused with
 * the holder named, or waits; a holder that died — its pid gone, or reused by another process —
 * is taken over at once, and what it left in flight is recovered.
 */
let dir: string;
let n = 0;
const fresh = () => join(dir, `d${++n}`);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dif-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records `holder` as the lock's holder, as a process that then died would have left it. */
function leaveHolder(dataDir: string, holder: Partial<LockHolder>): void {
  const now = new Date().toISOString();
  const db = openSqliteDatabase(lockFileOf(dataDir));
  db.exec(
    'CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), token TEXT NOT NULL, data TEXT NOT NULL)',
  );
  db.prepare('INSERT OR REPLACE INTO holder (id, token, data) VALUES (1, ?, ?)').run(
    'dead-token',
    JSON.stringify({ command: 'dif run', pid: 1, host: hostname(), acquiredAt: now, heartbeatAt: now, ...holder }),
  );
  db.close();
}

/** A process that ran and was SIGKILLed: its pid and kernel start time, no longer alive. */
async function killedProcess(): Promise<{ pid: number; processStart?: string }> {
  const child = spawn('sleep', ['30']);
  const pid = child.pid!;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const processStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return { pid, processStart };
}

describe('DataDirLock', () => {
  it('refuses a second holder at once, naming the run, command and pid that hold the directory', async () => {
    const dataDir = fresh();
    const first = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    first.setRunId('20260108T060000Z-abc123');
    const error = await DataDirLock.acquire(dataDir, { command: 'dif run' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirBusyError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^data directory ${dataDir} is in use by run 20260108T060000Z-abc123 \\(dif run, pid ${process.pid} on ${hostname()}, started \\d+ s ago, last heartbeat \\d+ s ago\\)\\. One process at a time .* start this run with --wait to queue behind it, or use another --data-dir\\.$`,
      ),
    );
    await first.release();
    const second = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    expect(second.previous).toBeUndefined();
    await second.release();
  });

  it('waits for a live holder to finish when asked to', async () => {
    const dataDir = fresh();
    const first = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    let releasedAt = 0;
    setTimeout(() => {
      releasedAt = Date.now();
      void first.release();
    }, 300);
    const second = await DataDirLock.acquire(dataDir, { command: 'dif run', waitMs: 10_000, pollMs: 50 });
    expect(releasedAt).toBeGreaterThan(0);
    await second.release();
  });

  it('takes over at once from a holder whose process was killed', async () => {
    const dataDir = fresh();
    const dead = await killedProcess();
    leaveHolder(dataDir, { ...dead, runId: 'run-killed' });
    const lock = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    expect(lock.previous).toMatchObject({ pid: dead.pid, runId: 'run-killed' });
    await lock.release();
  });

  it('tells a reused pid from the holder by its start time', async () => {
    const dataDir = fresh();
    // This process is alive, but it is not the process that recorded the lock.
    leaveHolder(dataDir, { pid: process.pid, processStart: '1', runId: 'run-before-reboot' });
    const lock = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    expect(lock.previous).toMatchObject({ runId: 'run-before-reboot' });
    await lock.release();
  });

  it('trusts the lease for a holder on another host: fresh is busy, expired is taken over', async () => {
    const dataDir = fresh();
    leaveHolder(dataDir, { host: 'elsewhere', pid: 4242 });
    await expect(DataDirLock.acquire(dataDir, { command: 'dif run' })).rejects.toBeInstanceOf(DataDirBusyError);
    const old = new Date(Date.now() - 120_000).toISOString();
    leaveHolder(dataDir, { host: 'elsewhere', pid: 4242, acquiredAt: old, heartbeatAt: old });
    const lock = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    expect(lock.previous).toMatchObject({ host: 'elsewhere' });
    await lock.release();
  });
});

describe('opening a data directory a killed run left behind', () => {
  it('redelivers its in-flight messages at once and marks its run abandoned', async () => {
    const dataDir = fresh();
    const runState = SqliteRunStateStore.open(join(dataDir, 'state.db'));
    await runState.createRun({ runId: 'run-killed', status: 'running', startedAt: new Date().toISOString() });
    await runState.close();
    const queues = openLocalQueues(dataDir);
    const id = await queues.load.send('{"kind":"clean-ready"}');
    // Received by the killed run with a 5-minute visibility timeout, never acknowledged.
    expect(await queues.load.receive({ visibilityTimeoutSeconds: 300 })).toHaveLength(1);
    expect(await queues.load.receive({ waitSeconds: 0 })).toEqual([]);
    await queues.close();
    leaveHolder(dataDir, { ...(await killedProcess()), runId: 'run-killed' });

    const listed = await runCli(buildProgram, ['runs', 'list', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ runId: 'run-killed', status: 'abandoned' })]);

    const ports = await openLocalPorts({ dataDir });
    try {
      expect(ports.recovered).toEqual({ messages: 1, abandonedRuns: ['run-killed'] });
      expect(await ports.runState.getRun('run-killed')).toMatchObject({ status: 'abandoned' });
      const [again] = await ports.queues.load.receive({ waitSeconds: 0 });
      expect(again).toMatchObject({ id, receiveCount: 2 });
    } finally {
      await ports.close();
    }
  });

  it('keeps `dif sql` out of the embedded warehouse while a run holds it, saying which run', async () => {
    const dataDir = fresh();
    const run = await DataDirLock.acquire(dataDir, { command: 'dif run' });
    run.setRunId('run-busy');
    try {
      const result = await runCli(buildProgram, ['sql', 'select 1', '--data-dir', dataDir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/data directory .* is in use by run run-busy \(dif run, pid \d+/);
      expect(result.stderr).toMatch(/`dif sql` did not start/);
    } finally {
      await run.release();
    }
  });
});
