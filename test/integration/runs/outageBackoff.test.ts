import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../cli/paths';
import { openLocalContext, type LocalContext } from '../../../profiles/local/openLocalContext';
import { QueueWorker } from '../../../profiles/local/QueueWorker';
import { DirectoryObjectStore } from '../../../shared/adapters/local/DirectoryObjectStore';
import { openSqliteDatabase } from '../../../shared/adapters/local/openSqliteDatabase';
import { SqliteQueue } from '../../../shared/adapters/local/SqliteQueue';
import { MESSAGE_VERSION, type CleanReady } from '../../../shared/messages';
import { LOCAL_REDELIVERY_BACKOFF, redeliveryDelaySeconds } from '../../../shared/runtime/redeliveryDelay';
import type { StageHandler } from '../../../shared/runtime/consumeMessage';
import { load } from '../../../services/loader/handlers/load';
import { writeCleanBatch } from '../loader/support/writeCleanBatch';

/**
 * Issue 14 §5: a 30 s database outage used every load attempt in ~10 s (1 s between deliveries)
 * and dead-lettered the batch. The loader now talks to PostgreSQL through a proxy that resets
 * every connection for the first 30 s of a simulated clock (the queue's clock, advanced 1 s per
 * 10 ms of real time): the batch must survive the outage and load, with the deliveries spread
 * over at least a minute.
 */
const POSTGRES = { host: '127.0.0.1', port: 5432 };
const schema = `dif_outage_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
let dir: string;
let proxy: Server;
let proxyPort = 0;
let clock = 0;
const outageEndsAt = 30_000;
const sockets = new Set<Socket>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dif-outage-'));
  proxy = createServer((client) => {
    if (clock < outageEndsAt) {
      client.destroy();
      return;
    }
    const server = connect(POSTGRES.port, POSTGRES.host);
    sockets.add(client).add(server);
    client.pipe(server).pipe(client);
    const end = () => (client.destroy(), server.destroy());
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyPort = (proxy.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy.close(resolve));
  const client = new pg.Client({ ...POSTGRES, user: 'postgres', database: 'test' });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('a load during a 30 s database outage', () => {
  it('is retried over more than a minute and loads once the database is back, instead of being dead-lettered', async () => {
    const configDir = join(dir, 'config');
    const dataDir = join(dir, 'data');
    mkdirSync(join(configDir, 'sources'), { recursive: true });
    mkdirSync(join(configDir, 'clients'), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, 'sources', 'demo_ads.yml'), join(configDir, 'sources', 'demo_ads.yml'));
    writeFileSync(
      join(configDir, 'clients', 'outage.yml'),
      `client: outage\nwarehouse: { schema: ${schema} }\nsources:\n  demo_ads:\n    params: { business_id: b1, account_id: "1", start_date: "2026-01-01", end_date: "2026-01-02" }\n    streams: [campaigns]\n`,
    );
    const ctx: LocalContext = await openLocalContext({
      configDir,
      dataDir,
      databaseUrl: `postgresql://postgres@127.0.0.1:${proxyPort}/test`,
    });
    const queue = new SqliteQueue(openSqliteDatabase(join(dataDir, 'queues.db')), 'load', {
      maxReceiveCount: 5,
      now: () => clock,
      pollIntervalMs: 5,
    });
    try {
      const store = new DirectoryObjectStore(join(dataDir, 'lake'));
      const manifestKey = await writeCleanBatch(
        store,
        'clean/outage/demo_ads/campaigns/dt=all/run=r1/item-1',
        ['id', 'name', 'daily_budget'],
        [[['c1', 'Spring', '1.00']]],
      );
      const message: CleanReady = {
        v: MESSAGE_VERSION,
        kind: 'clean-ready',
        runId: 'r1',
        itemId: 'item-1',
        client: 'outage',
        source: 'demo_ads',
        stream: 'campaigns',
        partition: 'all',
        partitionValues: {},
        label: 'outage/demo_ads/campaigns/all',
        runtime: 'lambda',
        extraction: 'sync',
        taskToken: 'token-of-an-ended-execution',
        clean: { manifestKey, parts: 1, rows: 1, bytes: 40 },
        recordsIn: 1,
        rejected: 0,
        columns: [
          { name: 'id', type: 'varchar(32)' },
          { name: 'name', type: 'varchar(256)' },
          { name: 'daily_budget', type: 'decimal(12,2)' },
        ],
        batchId: 'item-1-0011223344556677',
      };
      await queue.send(JSON.stringify(message));
      const deliveries: number[] = [];
      const watched: StageHandler = (context, delivery) => (deliveries.push(clock), load(context, delivery));
      const worker = new QueueWorker(ctx, 'load', queue, watched, {
        concurrency: 1,
        maxReceiveCount: 5,
        visibilityTimeoutSeconds: 300,
        backoff: LOCAL_REDELIVERY_BACKOFF,
      });
      worker.start();
      try {
        while (clock < 120_000) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          clock += 1_000;
          const depth = await queue.depth();
          if (depth.visible + depth.inFlight === 0) break;
        }
      } finally {
        await worker.stop();
      }

      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0, dead: 0 });
      expect(deliveries.length).toBeGreaterThan(1);
      expect(deliveries.at(-1)!).toBeGreaterThanOrEqual(outageEndsAt);
      expect(await ctx.ports.warehouse.query(`SELECT id FROM ${schema}.campaigns`)).toEqual([{ id: 'c1' }]);
      // The policy itself: with maxReceiveCount 5, the four waits add up to at least a minute.
      const waits = [1, 2, 3, 4].map((receive) => redeliveryDelaySeconds(receive, LOCAL_REDELIVERY_BACKOFF));
      expect(waits.reduce((sum, wait) => sum + wait, 0)).toBeGreaterThanOrEqual(60);
    } finally {
      await ctx.ports.close();
    }
  }, 60_000);
});
