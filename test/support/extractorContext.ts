import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DirectoryObjectStore,
  InProcessLockManager,
  InProcessRateLimiter,
  openLocalQueues,
  SqliteRunStateStore,
} from '../../shared/adapters/local';
import { loadConfig, SHARED_CREDENTIALS, type DifConfig } from '../../shared/config';
import type { Ports } from '../../shared/ports';
import { unusedPort } from './unusedPort';
import type { SecretProvider, ServiceContext } from '../../shared/runtime/ServiceContext';
import { DEMO_CREDENTIALS } from '../../demo/credentials';

/** Shared credentials the demo clients reference (`credentials: { ref }`), by ref → the source whose demo values they hold. */
const DEMO_SHARED_REFS: Record<string, string> = { 'agency-amazon': 'sponsored_ads' };

/** Secrets held in memory, seeded with the demo credentials; records every rotation. */
export class MemorySecrets implements SecretProvider {
  readonly rotations: { client: string; source: string; changes: Record<string, string> }[] = [];
  private readonly values = new Map<string, Record<string, string>>();

  constructor(private readonly defaults: Record<string, Record<string, string>> = DEMO_CREDENTIALS) {}

  async get(client: string, source: string): Promise<Record<string, string>> {
    const seeded =
      client === SHARED_CREDENTIALS ? this.defaults[DEMO_SHARED_REFS[source] ?? source] : this.defaults[source];
    return { ...(this.values.get(`${client}/${source}`) ?? seeded ?? {}) };
  }

  async rotate(client: string, source: string, changes: Record<string, string>): Promise<void> {
    this.rotations.push({ client, source, changes });
    this.values.set(`${client}/${source}`, { ...(await this.get(client, source)), ...changes });
  }
}

const unused = <T extends object>(name: string): T => unusedPort<T>(name, 'extractor');

export interface ExtractorTestContext {
  ctx: ServiceContext;
  dir: string;
  secrets: MemorySecrets;
  close(): Promise<void>;
}

/**
 * A ServiceContext over the real local adapters in a temporary folder (lake, queues, run
 * state, in-process limiter and locks), with the given config folder.
 */
export function extractorContext(
  config: DifConfig,
  options: { now?: () => Date; secrets?: MemorySecrets } = {},
): ExtractorTestContext {
  const dir = mkdtempSync(join(tmpdir(), 'dif-extractor-'));
  const queues = openLocalQueues(dir);
  const runState = SqliteRunStateStore.open(join(dir, 'state.db'));
  const rateLimiter = new InProcessRateLimiter();
  const locks = new InProcessLockManager();
  const ports: Ports = {
    objectStore: new DirectoryObjectStore(join(dir, 'lake')),
    queues,
    runState,
    secretRecords: unused('secretRecords'),
    keyring: unused('keyring'),
    workflow: unused('workflow'),
    warehouse: unused('warehouse'),
    rateLimiter,
    locks,
    close: async () => undefined,
  };
  const secrets = options.secrets ?? new MemorySecrets();
  const ctx: ServiceContext = { config, ports, secrets, now: options.now ?? (() => new Date()) };
  return {
    ctx,
    dir,
    secrets,
    close: async () => {
      await rateLimiter.close();
      await locks.close();
      await queues.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes sources/ and clients/ YAML into a temporary folder and loads it with the real loader. */
export function configFrom(files: { sources: Record<string, string>; clients: Record<string, string> }): DifConfig {
  const dir = mkdtempSync(join(tmpdir(), 'dif-config-'));
  for (const folder of ['sources', 'clients'] as const) {
    mkdirSync(join(dir, folder));
    for (const [name, text] of Object.entries(files[folder])) writeFileSync(join(dir, folder, `${name}.yml`), text);
  }
  try {
    return loadConfig(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads a whole object from the store as text (test data is small). */
export async function readObject(ctx: ServiceContext, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await ctx.ports.objectStore.get(key)) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
