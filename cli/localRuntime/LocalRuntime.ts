import { loadConfig, type DifConfig } from '../../shared/config';
import type { ServiceContext, SecretProvider } from '../../shared/runtime/ServiceContext';
import { CredentialStore } from '../../services/credentials';
import { newRunId, plan } from '../../services/extractor/handlers/plan';
import { extract } from '../../services/extractor/handlers/extract';
import { startJob } from '../../services/extractor/handlers/startJob';
import { pollJob } from '../../services/extractor/handlers/pollJob';
import { finalize } from '../../services/extractor/handlers/finalize';
import { transform } from '../../services/transformer/handlers/transform';
import { load } from '../../services/loader/handlers/load';
import { openLocalPorts, type LocalPorts, type LocalPortsOptions } from './openLocalPorts';
import { QueueWorker } from './QueueWorker';
import { runIngest, type IngestResult, type RunIngestOptions } from './ingestStateMachine';

export interface LocalRuntimeOptions extends LocalPortsOptions {
  configDir: string;
  /** Messages each stage handles at once. */
  workerConcurrency?: number;
  ingest?: RunIngestOptions;
}

export interface RunFilter {
  client?: string;
  source?: string;
  stream?: string;
}

export interface LocalRunOutcome {
  runId: string;
  result: IngestResult;
  durationMs: number;
}

export { newRunId };

/**
 * The whole pipeline in one process: the deployed state machine, in-process queue consumers
 * for the transformer and loader, and the local ports. `dif run` and the end-to-end tests use it.
 */
export class LocalRuntime {
  private constructor(
    readonly ctx: ServiceContext & { ports: LocalPorts },
    readonly credentials: CredentialStore,
    private readonly options: LocalRuntimeOptions,
  ) {}

  static async open(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    const config: DifConfig = loadConfig(options.configDir);
    const ports = await openLocalPorts(options);
    const credentials = new CredentialStore({ records: ports.secretRecords, keyring: ports.keyring, locks: ports.locks });
    const secrets: SecretProvider = credentials;
    return new LocalRuntime({ config, ports, secrets, now: () => new Date() }, credentials, options);
  }

  /** Runs one ingest execution to its end and returns its result. */
  async run(filter: RunFilter = {}, runId = newRunId(new Date())): Promise<LocalRunOutcome> {
    const started = Date.now();
    const { ctx } = this;
    const workerOptions = { concurrency: this.options.workerConcurrency ?? 2, maxReceiveCount: this.options.maxReceiveCount ?? 5, visibilityTimeoutSeconds: 300, retryDelaySeconds: 1 };
    const workers = [
      new QueueWorker(ctx, 'transform', ctx.ports.queues.transform, transform, workerOptions),
      new QueueWorker(ctx, 'load', ctx.ports.queues.load, load, workerOptions),
    ];
    workers.forEach((worker) => worker.start());
    try {
      const handlers = { plan, extract, startJob, pollJob, finalize };
      const input = { runId, ...filter, trigger: { by: 'dif run', ...filter } };
      const result = await runIngest(ctx, ctx.ports.workflow, handlers, input, { itemTimeoutMs: 30 * 60_000, ...this.options.ingest });
      return { runId, result, durationMs: Date.now() - started };
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }

  async close(): Promise<void> {
    await this.ctx.ports.close();
  }
}
