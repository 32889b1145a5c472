import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DirectoryObjectStore, openLocalQueues, SqliteRunStateStore } from '../../shared/adapters/local';
import type { DifConfig } from '../../shared/config';
import { sourceDefinition } from '../../shared/config/schema/source';
import { MESSAGE_VERSION, type RawManifest, type RawReady } from '../../shared/messages';
import type { Ports } from '../../shared/ports';
import { unusedPort } from './unusedPort';
import { DEFAULT_RUN_SETTINGS } from '../../shared/runtime/RunSettings';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';

const unused = <T extends object>(name: string): T => unusedPort<T>(name, 'transformer');

export interface TransformerTestContext {
  ctx: ServiceContext;
  store: DirectoryObjectStore;
  /** Stores raw objects and their manifest; returns the RawReady message that points at them. */
  stage(
    objects: { body: Buffer | string; ext?: string; context?: Record<string, unknown> }[],
    overrides?: Partial<RawReady>,
  ): Promise<RawReady>;
  /** Every clean part listed by a COPY manifest, gunzipped, in order. */
  readParts(manifestKey: string): Promise<string[]>;
  readText(key: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A ServiceContext over the real local adapters (directory lake, SQLite queues and run state)
 * in a temporary folder, with one source `ads` whose stream `report` is given by the test.
 */
export function transformerContext(stream: Record<string, unknown>): TransformerTestContext {
  const dir = mkdtempSync(join(tmpdir(), 'dif-transformer-'));
  const source = sourceDefinition.parse({
    name: 'ads',
    base_url: 'http://127.0.0.1',
    streams: { report: { request: { path: '/report' }, load: { table: 'report' }, ...stream } },
  });
  const config: DifConfig = { dir, sources: new Map([['ads', source]]), clients: new Map() };
  const store = new DirectoryObjectStore(join(dir, 'lake'));
  const queues = openLocalQueues(dir);
  const runState = SqliteRunStateStore.open(join(dir, 'state.db'));
  const ports: Ports = {
    objectStore: store,
    queues,
    runState,
    secretRecords: unused('secretRecords'),
    keyring: unused('keyring'),
    workflow: unused('workflow'),
    warehouse: unused('warehouse'),
    rateLimiter: unused('rateLimiter'),
    locks: unused('locks'),
    close: async () => undefined,
  };
  const ctx: ServiceContext = {
    config,
    ports,
    secrets: unused('secrets'),
    now: () => new Date('2026-02-01T00:00:00Z'),
    // As the local profile: a split item's pieces run on worker threads over this lake.
    runSettings: { ...DEFAULT_RUN_SETTINGS, pieceThreads: { lakeRoot: store.root, threads: 2 } },
  };
  const readText = async (key: string): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of await store.get(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  return {
    ctx,
    store,
    readText,
    async stage(objects, overrides = {}) {
      const prefix = 'raw/acme/ads/report/dt=2026-01-01/run=r1';
      const manifest: RawManifest = { objects: [] };
      let seq = 0;
      for (const object of objects) {
        const key = `${prefix}/item1-${String(++seq).padStart(6, '0')}.${object.ext ?? 'json'}`;
        const stored = await store.put(key, object.body);
        manifest.objects.push({
          key,
          bytes: stored.bytes,
          page: seq,
          ...(object.context ? { context: object.context } : {}),
        });
      }
      const manifestKey = `${prefix}/item1-manifest.json`;
      await store.put(manifestKey, JSON.stringify(manifest));
      return {
        v: MESSAGE_VERSION,
        kind: 'raw-ready',
        runId: 'r1',
        itemId: 'item1',
        client: 'acme',
        source: 'ads',
        stream: 'report',
        partition: '2026-01-01',
        partitionValues: {},
        label: 'acme/ads/report/2026-01-01',
        runtime: 'lambda',
        extraction: 'sync',
        taskToken: 'token-1',
        raw: { manifestKey, objects: objects.length, bytes: 0, pages: objects.length },
        extractedAt: '2026-01-02T03:04:05.678Z',
        ...overrides,
      };
    },
    async readParts(manifestKey) {
      const manifest = JSON.parse(await readText(manifestKey)) as { entries: { url: string }[] };
      const parts: string[] = [];
      for (const entry of manifest.entries) {
        const chunks: Buffer[] = [];
        for await (const chunk of await store.get(store.keyFromUri(entry.url))) chunks.push(chunk as Buffer);
        parts.push(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
      }
      return parts;
    },
    async close() {
      await queues.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
