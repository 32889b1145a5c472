import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteQueue, openLocalQueues, openSqliteDatabase, type SqliteDatabase } from '../../../shared/adapters/local';

const run = promisify(execFile);

describe('SqliteQueue (local-only behaviour)', () => {
  let dir: string;
  let file: string;
  const opened: SqliteDatabase[] = [];

  function open(
    options: ConstructorParameters<typeof SqliteQueue>[2] = {},
    name: 'transform' | 'load' = 'transform',
  ): SqliteQueue {
    const db = openSqliteDatabase(file);
    opened.push(db);
    return new SqliteQueue(db, name, options);
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dif-queue-'));
    file = join(dir, 'queues.db');
  });
  afterEach(async () => {
    for (const db of opened.splice(0)) if (db.open) db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('never hands one message to two instances sharing the file', async () => {
    const [a, b] = [open(), open()];
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => a.send(`m${i}`)));
    const got: string[] = [];
    for (let round = 0; round < 40 && got.length < 60; round++) {
      const batches = await Promise.all([a.receive({ maxMessages: 4 }), b.receive({ maxMessages: 3 })]);
      for (const message of batches.flat()) got.push(message.id);
    }
    expect(got).toHaveLength(60);
    expect(new Set(got).size).toBe(60);
    expect([...got].sort()).toEqual([...sent].sort());
  });

  it('is shared safely by several processes at once', async () => {
    const queue = open();
    const sent = new Set<string>();
    for (let i = 0; i < 80; i++) sent.add(await queue.send(`job ${i}`));
    const script = join(import.meta.dirname, 'fixtures', 'drainQueue.ts');
    const outputs = await Promise.all(
      [1, 2].map(() =>
        run(process.execPath, ['--import', 'tsx', script, file], { cwd: process.cwd(), timeout: 20_000 }),
      ),
    );
    const received = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
    expect(received).toHaveLength(80);
    expect(new Set(received)).toEqual(sent);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  }, 25_000);

  it('hands a message sent in this process to a waiting long-poll at once, not at its next poll', async () => {
    // A 30 s poll interval: only the wake-up on send can deliver within the 5 s asserted below.
    const queue = open({ pollIntervalMs: 30_000 });
    await queue.receive({ waitSeconds: 0 });
    const started = performance.now();
    const waiting = queue.receive({ waitSeconds: 60 });
    setTimeout(() => void queue.send('wake'), 20);
    const [message] = await waiting;
    expect(message?.body).toBe('wake');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('wakes a waiting long-poll for a message released or redriven in this process', async () => {
    const queue = open({ pollIntervalMs: 30_000, maxReceiveCount: 2 });
    await queue.send('again');
    const [first] = await queue.receive();
    let waiting = queue.receive({ waitSeconds: 60 });
    setTimeout(() => void queue.release(first!.receiptHandle), 20);
    const [released] = await waiting;
    expect(released?.body).toBe('again');
    // Received twice (maxReceiveCount 2): the next receive dead-letters it; redrive brings it back.
    await queue.release(released!.receiptHandle);
    expect(await queue.receive()).toEqual([]);
    waiting = queue.receive({ waitSeconds: 60 });
    const started = performance.now();
    setTimeout(() => void queue.redrive(), 20);
    const [redriven] = await waiting;
    expect(redriven?.body).toBe('again');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('keeps messages across close and reopen', async () => {
    const queue = open();
    const id = await queue.send('durable');
    opened[0]!.close();
    const [message] = await open().receive();
    expect(message).toMatchObject({ id, body: 'durable', receiveCount: 1 });
  });

  it('uses the injected clock for visibility, delays and dead-lettering', async () => {
    let now = Date.parse('2026-03-01T00:00:00Z');
    const queue = open({ now: () => now, visibilityTimeoutSeconds: 30, maxReceiveCount: 2 });
    const id = await queue.send('tick', { delaySeconds: 60 });
    expect(await queue.receive()).toEqual([]);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1, dead: 0 });
    now += 60_000;

    const [first] = await queue.receive();
    expect(first).toMatchObject({ id, receiveCount: 1 });
    expect(first?.sentAt.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    now += 29_999;
    expect(await queue.receive()).toEqual([]);
    now += 1;
    const [second] = await queue.receive();
    expect(second).toMatchObject({ id, receiveCount: 2 });
    await queue.release(second!.receiptHandle, { error: 'loader: relation "acme.campaigns" is locked' });

    expect(await queue.receive()).toEqual([]);
    const [dead] = await queue.listDeadLetters();
    expect(dead).toMatchObject({
      id,
      body: 'tick',
      receiveCount: 2,
      lastError: 'loader: relation "acme.campaigns" is locked',
    });
    expect(dead?.deadAt.getTime()).toBe(now);
  });

  it('ignores acks and releases with a stale receipt', async () => {
    let now = 0;
    const queue = open({ now: () => now, visibilityTimeoutSeconds: 10 });
    await queue.send('x');
    const [first] = await queue.receive();
    now += 10_000;
    const [second] = await queue.receive();
    await queue.ack(first!.receiptHandle);
    await queue.release(first!.receiptHandle);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 1, dead: 0 });
    await queue.ack(second!.receiptHandle);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it('keeps queues sharing a file apart, and gives no more than 10 messages per receive', async () => {
    const transform = open({}, 'transform');
    const load = open({}, 'load');
    for (let i = 0; i < 12; i++) await transform.send(`t${i}`);
    expect(await load.receive({ maxMessages: 10 })).toEqual([]);
    const batch = await transform.receive({ maxMessages: 50 });
    expect(batch.map((message) => message.body)).toEqual(Array.from({ length: 10 }, (_, i) => `t${i}`));
    expect(await load.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
  });

  it('rejects nonsensical options with a readable error', async () => {
    expect(() => open({ maxReceiveCount: 0 })).toThrow('maxReceiveCount must be a whole number of at least 1');
    const queue = open();
    await expect(queue.send('x', { delaySeconds: -1 })).rejects.toThrow('delaySeconds must be zero or more seconds');
    await expect(queue.receive({ visibilityTimeoutSeconds: Number.NaN })).rejects.toThrow('visibilityTimeoutSeconds');
  });

  it('opens every pipeline queue with per-queue settings and a non-enumerable close', async () => {
    const queues = openLocalQueues(dir, { queues: { load: { maxReceiveCount: 1 } } });
    expect(Object.keys(queues).sort()).toEqual(['load', 'transform']);
    await queues.load.send('once');
    await queues.transform.send('many');
    const [load] = await queues.load.receive();
    await queues.load.release(load!.receiptHandle);
    const [transform] = await queues.transform.receive();
    await queues.transform.release(transform!.receiptHandle);
    expect(await queues.load.receive()).toEqual([]);
    expect(await queues.load.listDeadLetters()).toHaveLength(1);
    expect(await queues.transform.receive()).toHaveLength(1);
    await queues.close();
    await queues.close();
  });
});
