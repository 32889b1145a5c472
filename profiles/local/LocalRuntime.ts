import type { QueueStage, StageHandler } from '../../shared/runtime/consumeMessage';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import type { CredentialStore } from '../../services/credentials';
import { newRunId, plan, type PlanInput } from '../../services/runs/handlers/plan';
import { finalize } from '../../services/runs/handlers/finalize';
import { recordFailure } from '../../services/runs/handlers/recordFailure';
import { discoverPartitions } from '../../services/extractor/partition/discoverPartitions';
import { extract } from '../../services/extractor/handlers/extract';
import { startJob } from '../../services/extractor/handlers/startJob';
import { pollJob } from '../../services/extractor/handlers/pollJob';
import { transform } from '../../services/transformer/handlers/transform';
import { load } from '../../services/loader/handlers/load';
import type { LocalPortsOptions } from './openLocalPorts';
import { openLocalContext, type LocalContext } from './openLocalContext';
import { QueueWorker } from './QueueWorker';
import { logger } from '../../shared/log';
import { RunNotFoundError } from '../../shared/adapters/local/errors';
import { LOCAL_REDELIVERY_BACKOFF, type RedeliveryBackoff } from '../../shared/runtime/redeliveryDelay';
import {
  runIngest,
  type IngestHandlers,
  type IngestResult,
  type RunIngestOptions,
  type TaskHandler,
} from './ingestStateMachine';

/**
 * Wrappers around the service handlers, for tests that watch every state input/output and queue
 * delivery (e.g. the credential leak scan) without rebuilding the runtime.
 */
export interface HandlerDecorators {
  task?: (state: keyof IngestHandlers, handler: TaskHandler) => TaskHandler;
  stage?: (stage: QueueStage, handler: StageHandler) => StageHandler;
}

export interface LocalRuntimeOptions extends LocalPortsOptions {
  configDir: string;
  /** Messages each stage handles at once. */
  workerConcurrency?: number;
  /** Delays before a failed queue message is delivered again (default 4 s doubling to 60 s). */
  backoff?: RedeliveryBackoff;
  ingest?: RunIngestOptions;
  /** How often a run refreshes its heartbeat in run state (default 5 s). */
  heartbeatMs?: number;
  decorate?: HandlerDecorators;
}

export interface RunFilter {
  client?: string;
  source?: string;
  stream?: string;
  /** `dif backfill`: Plan takes exactly the date slices overlapping from..to. */
  backfill?: { from: string; to: string };
}

export interface LocalRunOutcome {
  runId: string;
  /** The execution input, as the Step Functions console would show it. */
  input: Record<string, unknown>;
  result: IngestResult;
  durationMs: number;
}

export { newRunId, openLocalContext, type LocalContext };

/**
 * The whole pipeline in one process: the deployed state machine, in-process queue consumers
 * for the transformer and loader, and the local ports. `dif run` and the end-to-end tests use it.
 */
export class LocalRuntime {
  private constructor(
    readonly ctx: LocalContext,
    private readonly options: LocalRuntimeOptions,
  ) {}

  static async open(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    return new LocalRuntime(await openLocalContext(options), options);
  }

  /** The credentials store (also `ctx.secrets`), for seeding and inspecting credentials. */
  get credentials(): CredentialStore {
    return this.ctx.secrets;
  }

  /** Runs one ingest execution to its end and returns its result. */
  async run(filter: RunFilter = {}, runId = newRunId(new Date()), trigger = 'dif run'): Promise<LocalRunOutcome> {
    const started = Date.now();
    const { ctx } = this;
    const workers = [this.worker('transform', transform), this.worker('load', load)];
    ctx.ports.lock.setRunId(runId);
    const heartbeat = this.beatWhileRunning(runId);
    workers.forEach((worker) => worker.start());
    try {
      const input = { runId, ...filter, trigger: { by: trigger, ...filter } };
      const result = await runIngest(ctx, ctx.ports.workflow, this.taskHandlers(), input, this.options.ingest);
      return { runId, input, result, durationMs: Date.now() - started };
    } finally {
      clearInterval(heartbeat);
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }

  /** Refreshes the run's `heartbeatAt`, so a run whose process dies is seen as abandoned (runStatusAt). */
  private beatWhileRunning(runId: string): NodeJS.Timeout {
    const { runState } = this.ctx.ports;
    const timer = setInterval(() => {
      runState.updateRun(runId, { heartbeatAt: new Date().toISOString() }).catch((error: unknown) => {
        // Before Plan has created the run there is nothing to refresh yet.
        if (!(error instanceof RunNotFoundError)) logger.warn('run heartbeat not recorded', { error: String(error) });
      });
    }, this.options.heartbeatMs ?? 5_000);
    timer.unref();
    return timer;
  }

  async close(): Promise<void> {
    await this.ctx.ports.close();
  }

  private taskHandlers(): IngestHandlers {
    // Plan discovers partitions through the extractor: the one place the two services meet.
    const planRun = (ctx: ServiceContext, input: PlanInput) => plan(ctx, input, discoverPartitions);
    const handlers: IngestHandlers = { plan: planRun, extract, startJob, pollJob, recordFailure, finalize };
    const decorate = this.options.decorate?.task;
    if (!decorate) return handlers;
    return Object.fromEntries(
      Object.entries(handlers).map(([state, handler]) => [state, decorate(state as keyof IngestHandlers, handler)]),
    ) as unknown as IngestHandlers;
  }

  private worker(stage: QueueStage, handler: StageHandler): QueueWorker {
    const decorated = this.options.decorate?.stage?.(stage, handler) ?? handler;
    return new QueueWorker(this.ctx, stage, this.ctx.ports.queues[stage], decorated, {
      concurrency: this.options.workerConcurrency ?? 2,
      maxReceiveCount: this.options.maxReceiveCount ?? 5,
      visibilityTimeoutSeconds: 300,
      backoff: this.options.backoff ?? LOCAL_REDELIVERY_BACKOFF,
    });
  }
}
