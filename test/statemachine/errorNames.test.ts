import { createServer, connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { readIngestDefinition } from '../../profiles/local/ingestStateMachine';
import { lambdaEntries, taskEntries } from '../../serverless/functions.mjs';
import { LocalWorkflow } from '../../shared/adapters/local/LocalWorkflow';
import { PermanentError } from '../../shared/runtime/errors';
import { consumeMessage, type QueueStage } from '../../shared/runtime/consumeMessage';
import { stepFunctionsErrorName } from '../../shared/runtime/stepFunctionsError';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { runExtractTask } from '../../profiles/aws/functions/runExtractTask';
import { HttpStatusError, RetriesExhaustedError } from '../../services/extractor/errors';
import { RejectThresholdError } from '../../services/transformer/errors';
import { BadLoadDataError } from '../../services/loader/errors';
import { unusedPort } from '../support/unusedPort';

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

/** Every Task state of the definition, Map and Parallel bodies included. */
function taskStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => [
    ...(state.Type === 'Task' ? [[name, state] as [string, AslState]] : []),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor.States) : []),
    ...(state.Iterator ? taskStates(state.Iterator.States) : []),
    ...(state.Branches ?? []).flatMap((branch) => taskStates(branch.States)),
  ]);
}

/** A real network error: a connection to a port nothing listens on. */
async function connectionRefused(): Promise<Error> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', resolve);
  });
}

/** An error of an AWS call the SDK gave up retrying (throttling), as the SDK names it. */
function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
}

/** A context with only the workflow for the queue consumer (the messages carry no run to record in). */
function consumerContext(workflow: LocalWorkflow): ServiceContext {
  const unused = <T extends object>(name: string): T => unusedPort<T>(name, 'error-name');
  const ports = new Proxy({ workflow } as unknown as ServiceContext['ports'], {
    get: (target, port) => (port === 'workflow' ? target.workflow : unused(String(port))),
  });
  return {
    config: { dir: '', sources: new Map(), clients: new Map() },
    ports,
    secrets: unused('secrets'),
    now: () => new Date(),
  };
}

/** The name a failure arrives with on a token of the local workflow. */
async function nameOnToken(
  workflow: LocalWorkflow,
  fail: (taskToken: string) => Promise<unknown>,
): Promise<string | undefined> {
  const { taskToken, completion } = workflow.openTask();
  completion.catch(() => undefined);
  await fail(taskToken).catch(() => undefined);
  workflow.closeTask(taskToken);
  return completion.then(
    () => undefined,
    (error: Error) => error.name,
  );
}

describe('error names the state machine retries or catches', () => {
  let network: Error;
  beforeAll(async () => {
    network = await connectionRefused();
  });

  /** Errors each route really meets: a network error, AWS throttling, its own permanent errors. */
  const samplesFor = (state: string): unknown[] => [
    network,
    throttled(),
    new Error('socket hang up'),
    new PermanentError('Sample', `a permanent error of ${state}`),
    ...(state === 'Extract'
      ? [
          new HttpStatusError(401, 'https://api.example/x', 'no', 'check the token'),
          new RetriesExhaustedError('u', 3, 'x'),
        ]
      : []),
  ];

  /** Names a Lambda Task function gives (stateTaskHandler names with its `state`). */
  async function lambdaNames(functionName: string): Promise<Set<string>> {
    const entry = lambdaEntries.find((candidate) => candidate.name === functionName);
    expect(entry, `no Lambda entry "${functionName}" in serverless/functions.mjs`).toBeDefined();
    const module = (await import(/* @vite-ignore */ `../../${entry!.entry}`)) as { handler: { state: string } };
    const { state } = module.handler;
    return new Set(samplesFor(state).map((error) => stepFunctionsErrorName(state, error)));
  }

  /** Names the ECS extractor task sends on its token: run it with each error. */
  async function ecsTaskNames(): Promise<Set<string>> {
    expect(taskEntries.map((entry) => entry.entry)).toEqual(['profiles/aws/functions/extractTask.ts']);
    const workflow = new LocalWorkflow();
    const names = new Set<string>();
    for (const error of samplesFor('Extract')) {
      const name = await nameOnToken(workflow, (taskToken) =>
        runExtractTask(
          { item: {} as never, taskToken },
          async () => {
            throw error;
          },
          workflow,
        ),
      );
      if (name) names.add(name);
    }
    return names;
  }

  /** Names the transform and load queue consumers fail an item's token with (it is Extract's token). */
  async function consumerNames(): Promise<Set<string>> {
    const workflow = new LocalWorkflow();
    const ctx = consumerContext(workflow);
    const names = new Set<string>();
    const stages: [QueueStage, unknown[]][] = [
      ['transform', [network, new RejectThresholdError('too many rejects')]],
      ['load', [network, new BadLoadDataError('acme.t', 'b1', 'bad value')]],
    ];
    for (const [stage, errors] of stages) {
      for (const error of errors) {
        const name = await nameOnToken(workflow, (taskToken) =>
          consumeMessage(
            ctx,
            stage,
            { id: 'm1', body: JSON.stringify({ taskToken }), receiveCount: 5 },
            async () => {
              throw error;
            },
            { maxReceiveCount: 5 },
          ),
        );
        if (name) names.add(name);
      }
    }
    return names;
  }

  /** What a Task state can receive: its function's or task's names, and for a token state the consumers'. */
  async function producible(state: AslState): Promise<Set<string>> {
    const resource = state.Resource ?? '';
    const names = new Set<string>();
    if (resource.includes(':lambda:invoke')) {
      const placeholder = /^\$\{(\w+)FunctionArn\}$/.exec(String(state.Parameters?.FunctionName));
      expect(placeholder, `FunctionName of ${resource} is not a \${…FunctionArn} placeholder`).not.toBeNull();
      const functionName = placeholder![1]!.charAt(0).toLowerCase() + placeholder![1]!.slice(1);
      (await lambdaNames(functionName)).forEach((name) => names.add(name));
    } else if (resource.includes(':ecs:runTask')) {
      expect(state.Parameters?.TaskDefinition).toBe('${ExtractTaskDefinitionArn}');
      (await ecsTaskNames()).forEach((name) => names.add(name));
    } else {
      throw new Error(`${resource}: this test does not know which code names the errors of such a Task; add it`);
    }
    if (resource.endsWith('.waitForTaskToken')) (await consumerNames()).forEach((name) => names.add(name));
    return names;
  }

  it('can produce every name a Retry or Catch matches, on the route that feeds each state', async () => {
    const states = taskStates(readIngestDefinition().States as unknown as Record<string, AslState>);
    expect(states.map(([name]) => name)).toEqual(expect.arrayContaining(['Extract', 'Extract on ECS', 'Plan']));
    const missing: string[] = [];
    for (const [name, state] of states) {
      const names = await producible(state);
      const matched = [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals);
      for (const error of matched.filter((error) => !/^(States|Lambda|ECS)\./.test(error))) {
        if (!names.has(error)) missing.push(`${name}: ${error} (it can receive ${[...names].sort().join(', ')})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('fails the ECS task token of a network error as Extract.Transient, which "Extract on ECS" retries', async () => {
    const workflow = new LocalWorkflow();
    const name = await nameOnToken(workflow, (taskToken) =>
      runExtractTask(
        { item: {} as never, taskToken },
        async () => {
          throw network;
        },
        workflow,
      ),
    );
    expect(name).toBe('Extract.Transient');
    const ecs = taskStates(readIngestDefinition().States as unknown as Record<string, AslState>).find(
      ([state]) => state === 'Extract on ECS',
    )![1];
    expect(ecs.Retry?.flatMap((rule) => rule.ErrorEquals)).toContain(name);
    // A permanent error keeps its own name, never prefixed twice.
    const http = await nameOnToken(workflow, (taskToken) =>
      runExtractTask(
        { item: {} as never, taskToken },
        async () => {
          throw new HttpStatusError(401, 'https://api.example/x', 'no', 'check the token');
        },
        workflow,
      ),
    );
    expect(http).toBe('Extract.HttpError');
  });

  it('names a message the consumer gave up on {Stage}.RetriesExhausted by the same function', async () => {
    expect(await consumerNames()).toEqual(
      new Set(['Transform.RetriesExhausted', 'Transform.RejectThreshold', 'Load.RetriesExhausted', 'Load.BadData']),
    );
  });
});
