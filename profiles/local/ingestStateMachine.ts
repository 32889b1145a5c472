import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { parse } from 'yaml';
import type { LocalWorkflow } from '../../shared/adapters/local/LocalWorkflow';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { stepFunctionsError } from '../../shared/runtime/stepFunctionsError';
import { standInForDistributedMaps, type MapRunParameters } from './distributedMap/distributedMapStates';
import { MapRun } from './distributedMap/MapRun';
import type { ExecutionStats } from './ExecutionStats';

/** The deployed definition, read as-is: locally we run exactly what Step Functions runs. */
export const INGEST_ASL_PATH = fileURLToPath(new URL('../../statemachines/ingest.asl.yml', import.meta.url));

export function readIngestDefinition(): StateMachineDefinition {
  return parse(readFileSync(INGEST_ASL_PATH, 'utf8')) as StateMachineDefinition;
}

/**
 * Set in the CLI bundle (bin/build.mjs --cli) to the SHA-256 of the definition the build validated;
 * undefined when running the source.
 */
declare const DIF_VALIDATED_ASL_SHA256: string | undefined;

/**
 * Whether the definition on disk is the one the bundle's build validated. Validation compiles
 * asl-validator's JSON schema, ~1.4 s of CPU on every run; the same bytes need it once.
 */
function validatedAtBuild(): boolean {
  if (typeof DIF_VALIDATED_ASL_SHA256 !== 'string') return false;
  return createHash('sha256').update(readFileSync(INGEST_ASL_PATH)).digest('hex') === DIF_VALIDATED_ASL_SHA256;
}

/** A service handler bound to a Task state; its input is whatever the state's Parameters produce. */
export type TaskHandler = (ctx: ServiceContext, input: never) => Promise<unknown>;
type Handler = TaskHandler;

/** The service functions each Task state is bound to (docs/pipeline-contracts.md). */
export interface IngestHandlers {
  plan: Handler;
  startJob: Handler;
  pollJob: Handler;
  extract: Handler;
  recordFailure: Handler;
  finalize: Handler;
}

export interface RunIngestOptions {
  /** Scales every Retry interval (0.01 makes a 5 s retry 50 ms in tests). */
  retryIntervalScale?: number;
  /** How long an item may wait for its loader; default: the Extract state's TimeoutSeconds. */
  itemTimeoutMs?: number;
  /** Cap on Wait-state seconds locally (the demo's async jobs need no real minutes). */
  maxWaitSeconds?: number;
  /** Collects history-event counts and the largest state payload (bench:scale); costs a little per state. */
  stats?: ExecutionStats;
}

export type IngestResult =
  { status: 'succeeded'; output: unknown } | { status: 'failed'; error: string; cause: string };

interface LambdaInvokeInput {
  Payload: Record<string, unknown>;
}

type LocalTaskHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];

/** Our handlers speak typed objects; the library speaks JSON values. Both are plain JSON here. */
function asTaskHandler(handler: (parameters: LambdaInvokeInput) => Promise<unknown>): LocalTaskHandler {
  return handler as unknown as LocalTaskHandler;
}

/**
 * Runs `statemachines/ingest.asl.yml` with aws-local-stepfunctions, binding each Task state to
 * its service handler. `waitForTaskToken` is honoured: Extract's token is opened in the
 * {@link LocalWorkflow} and the state completes only when the loader (or a failing stage)
 * completes the token. The library runs Map states inline only, so each Distributed Map state
 * runs as a {@link MapRun}: items read from the object store, one child execution of the
 * library per item with the same Task bindings, MaxConcurrency and tolerated failures honoured,
 * results written as Step Functions' ResultWriter writes them.
 */
export async function runIngest(
  ctx: ServiceContext,
  workflow: LocalWorkflow,
  handlers: IngestHandlers,
  input: Record<string, unknown>,
  options: RunIngestOptions = {},
): Promise<IngestResult> {
  const definition = readIngestDefinition();
  const { definition: runnable, maps } = standInForDistributedMaps(definition);
  const machine = new StateMachine(runnable, {
    validationOptions: { checkArn: false, noValidate: validatedAtBuild() },
  });
  const timeoutOf = (state: string) => options.itemTimeoutMs ?? taskTimeoutMs(definition, state);
  const invoke = (state: string, handler: Handler) =>
    asTaskHandler(async (parameters) => {
      try {
        return { Payload: await handler(ctx, parameters.Payload as never) };
      } catch (error) {
        throw stepFunctionsError(state, error);
      }
    });
  const taskHandlers: Record<string, LocalTaskHandler> = {};
  const runOptions: RunOptions = {
    // $$.Task.Token must resolve for the Parameters to evaluate; the Extract binding swaps the
    // placeholder for a fresh token per task.
    context: { Task: { Token: 'LOCAL_TASK_TOKEN' } },
    overrides: {
      taskResourceLocalHandlers: taskHandlers,
      retryIntervalOverrides: retryOverrides(definition, options.retryIntervalScale),
      waitTimeOverrides:
        options.maxWaitSeconds === undefined
          ? undefined
          : {
              'Wait for report': options.maxWaitSeconds * 1000,
              'Wait before re-submitting': options.maxWaitSeconds * 1000,
            },
    },
  };
  Object.assign(taskHandlers, {
    Plan: invoke('Plan', handlers.plan),
    'Start report job': invoke('StartJob', handlers.startJob),
    'Poll report job': invoke('PollJob', handlers.pollJob),
    Extract: asTaskHandler((parameters) =>
      extractWithToken(ctx, workflow, handlers.extract, parameters.Payload, timeoutOf('Extract')),
    ),
    // Locally there is no Fargate: the long-running route runs the same extract handler.
    'Extract on ECS': asTaskHandler((parameters) =>
      extractWithToken(ctx, workflow, handlers.extract, ecsPayload(parameters), timeoutOf('Extract on ECS')),
    ),
    'Item failed': invoke('RecordFailure', handlers.recordFailure),
    Finalize: invoke('Finalize', handlers.finalize),
  });
  for (const [name, spec] of maps)
    taskHandlers[name] = asTaskHandler((parameters) =>
      new MapRun(spec, { store: ctx.ports.objectStore, childRunOptions: runOptions, stats: options.stats }).run(
        parameters as unknown as MapRunParameters,
      ),
    );
  const execution = machine.run(input as Parameters<typeof machine.run>[0], runOptions);
  const watched = options.stats?.watch(execution.eventLogs, 'parent');
  try {
    return { status: 'succeeded', output: await execution.result };
  } catch (error) {
    const cause = (error as { cause?: { name?: string; message?: string } }).cause;
    return { status: 'failed', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? String(error) };
  } finally {
    await watched;
  }
}

async function extractWithToken(
  ctx: ServiceContext,
  workflow: LocalWorkflow,
  extract: Handler,
  payload: Record<string, unknown>,
  timeoutMs: number | undefined,
): Promise<unknown> {
  const { taskToken, completion } = workflow.openTask({ timeoutMs });
  // Observe the completion now so a failure that arrives before we await it is not "unhandled".
  completion.catch(() => undefined);
  try {
    await extract(ctx, { ...payload, taskToken } as never);
  } catch (error) {
    workflow.closeTask(taskToken);
    throw stepFunctionsError('Extract', error);
  }
  return completion;
}

/** The ECS Task state hands the extract input to the container as DIF_TASK_INPUT (JSON text). */
function ecsPayload(parameters: LambdaInvokeInput): Record<string, unknown> {
  const overrides = (
    parameters as unknown as {
      Overrides?: { ContainerOverrides?: { Environment?: { Name: string; Value: string }[] }[] };
    }
  ).Overrides;
  const variable = overrides?.ContainerOverrides?.[0]?.Environment?.find((entry) => entry.Name === 'DIF_TASK_INPUT');
  if (!variable) throw new Error('Extract on ECS: the state passed no DIF_TASK_INPUT to the container');
  return JSON.parse(variable.Value) as Record<string, unknown>;
}

type StateWithChildren = {
  TimeoutSeconds?: number;
  Retry?: { IntervalSeconds?: number }[];
  ItemProcessor?: { States: Record<string, unknown> };
};

/** Every state of the definition by name, Map item processors included. */
function allStates(definition: StateMachineDefinition): Map<string, StateWithChildren> {
  const found = new Map<string, StateWithChildren>();
  const visit = (states: Record<string, unknown>) => {
    for (const [name, state] of Object.entries(states)) {
      const typed = state as StateWithChildren;
      found.set(name, typed);
      if (typed.ItemProcessor) visit(typed.ItemProcessor.States);
    }
  };
  visit(definition.States as Record<string, unknown>);
  return found;
}

/** The waiting time the ASL itself gives a token-waiting state, so local runs time out alike. */
function taskTimeoutMs(definition: StateMachineDefinition, state: string): number | undefined {
  const seconds = allStates(definition).get(state)?.TimeoutSeconds;
  return seconds === undefined ? undefined : seconds * 1000;
}

function retryOverrides(
  definition: StateMachineDefinition,
  scale: number | undefined,
): Record<string, number[]> | undefined {
  if (scale === undefined) return undefined;
  const overrides: Record<string, number[]> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Retry) overrides[name] = state.Retry.map((retrier) => (retrier.IntervalSeconds ?? 1) * 1000 * scale);
  }
  return overrides;
}
