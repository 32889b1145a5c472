import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoApi, type DemoApi, type FaultRule } from '../../demo';
import { LocalRuntime, type LocalRunOutcome } from '../../profiles/local/LocalRuntime';
import type { ItemRecord } from '../../shared/ports';

export interface OneSourceRun {
  api: DemoApi;
  runtime: LocalRuntime;
  /** The temporary folder: `config/` and `data/` (the data directory) inside it. */
  dir: string;
  outcome: LocalRunOutcome;
  /** The run's items by stream name. */
  items: Map<string, ItemRecord>;
  close(): Promise<void>;
}

/**
 * One local run of client `c` over one source (`sources/{source}.yml` = `sourceYaml`, whose
 * base_url reads `{{ env.DIF_DEMO_API_URL }}`) against the demo API answering with `faults`:
 * the set-up end-to-end tests of a single source share. Retries are fast and the state
 * machine does not wait between them.
 *
 * @example
 * const run = await oneSourceRun({ prefix: 'dif-split-', source: 'bulk', sourceYaml, faults, itemTimeoutMs: 120_000 });
 * run.items.get('events')?.stage; // 'loaded'
 */
export async function oneSourceRun(options: {
  prefix: string;
  source: string;
  sourceYaml: string;
  faults: FaultRule[];
  itemTimeoutMs: number;
}): Promise<OneSourceRun> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  const config = join(dir, 'config');
  mkdirSync(join(config, 'sources'), { recursive: true });
  mkdirSync(join(config, 'clients'), { recursive: true });
  writeFileSync(join(config, 'sources', `${options.source}.yml`), options.sourceYaml);
  writeFileSync(join(config, 'clients', 'c.yml'), `client: c\nsources:\n  ${options.source}: {}\n`);
  const api = await startDemoApi({ faults: options.faults });
  process.env.DIF_DEMO_API_URL = api.url;
  const runtime = await LocalRuntime.open({
    configDir: config,
    dataDir: join(dir, 'data'),
    backoff: { baseSeconds: 0.1, maxSeconds: 0.1 },
    ingest: { itemTimeoutMs: options.itemTimeoutMs, retryIntervalScale: 0.01, maxWaitSeconds: 0 },
  });
  await runtime.credentials.put('c', options.source, { token: 'not-used-here' });
  const outcome = await runtime.run({});
  const listed = await runtime.ctx.ports.runState.listItems(outcome.runId);
  return {
    api,
    runtime,
    dir,
    outcome,
    items: new Map(listed.map((item) => [item.stream, item])),
    async close() {
      await runtime.close();
      await api.close();
      delete process.env.DIF_DEMO_API_URL;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
