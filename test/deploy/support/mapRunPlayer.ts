import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { callingAs } from './awsCallRecorder';

/** The caller the Map Run's AWS calls are recorded as: the state machine's own role. */
export const MAP_RUN_CALLER = 'ingestStateMachine';
/** The Lambda name the stand-in Task invokes (served by the test's bridge, not a deployed function). */
export const MAP_RUN_FUNCTION = 'mapRun';

type Json = Record<string, unknown>;

/**
 * moto 5.2 cannot run the packaged Distributed Map: its ASL parser refuses `InputType: JSONL` and
 * `ToleratedFailurePercentage`, it evaluates `ResultWriter` `Prefix.$` against the results
 * instead of the state input, its interpreter sends the ItemReader's S3 call to MOTO_PORT (the
 * Lambda bridge), and it runs one execution per account at a time. So the parent runs on moto
 * with the Map state replaced by a `lambda:invoke.waitForTaskToken` Task, and this player does
 * what the Step Functions service does for a Map Run, with the state machine's role: reads the
 * item file (s3:GetObject), starts each item's child execution of the packaged ItemProcessor
 * (states:StartExecution on the same state machine name), writes the results and manifest as
 * the ResultWriter does (s3:PutObject), then completes the parent's token with the Map's output.
 * Children run one at a time in the stack's account (the loader's SendTaskSuccess reaches them
 * there); the parent runs in an account of its own.
 */
export function splitForMoto(
  definition: Json,
  mapState: string,
  region: string,
  account: string,
): { parent: Json; child: Json; map: Json } {
  const states = definition.States as Record<string, Json>;
  const map = states[mapState]!;
  const { ProcessorConfig: _config, ...processor } = map.ItemProcessor as Json;
  const parent = {
    ...definition,
    States: {
      ...states,
      [mapState]: {
        Type: 'Task',
        Comment: 'test stand-in for the Distributed Map (moto cannot run it): see test/deploy/support/mapRunPlayer.ts',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: `arn:aws:lambda:${region}:${account}:function:${MAP_RUN_FUNCTION}`,
          Payload: { 'input.$': '$', 'taskToken.$': '$$.Task.Token' },
        },
        ResultPath: map.ResultPath,
        ...(map.Catch ? { Catch: map.Catch } : {}),
        Next: map.Next,
      },
    },
  };
  return { parent, child: processor, map };
}

interface Pending {
  input: Json;
  taskToken: string;
}

/** Plays one Map Run at a time; {@link step} advances it by at most one call per child. */
export class MapRunPlayer {
  private pending: Pending | undefined;
  private inputs: Json[] = [];
  private running: string | undefined;
  private read = false;
  private readonly results: Json[] = [];
  readonly childExecutions: string[] = [];
  /** What stopped the Map Run, if anything did. */
  failure: unknown;

  constructor(
    private readonly map: Json,
    private readonly clients: { s3: S3Client; children: SFNClient; parent: SFNClient },
    private readonly child: { name: string; roleArn: string; definition: string; arn?: string },
  ) {}

  /** The stand-in Task's Lambda: takes the Map's input and the parent's token, returns at once. */
  invoke = async (event: unknown): Promise<unknown> => {
    this.pending = event as Pending;
    this.read = false;
    return {};
  };

  async step(): Promise<void> {
    if (!this.pending) return;
    const { input, taskToken } = this.pending;
    try {
      if (!this.read) {
        this.inputs = await this.readItems(input);
        this.read = true;
      }
      if (this.running) {
        const execution = await this.clients.children.send(
          new DescribeExecutionCommand({ executionArn: this.running }),
        );
        if (execution.status === 'RUNNING') return;
        this.results.push({
          ExecutionArn: this.running,
          Status: execution.status,
          Output: execution.output,
          Error: execution.error,
          Cause: execution.cause,
        });
        this.running = undefined;
      }
      const next = this.inputs.shift();
      if (next) {
        await this.freshChildMachine();
        const { executionArn } = await callingAs(MAP_RUN_CALLER, () =>
          this.clients.children.send(
            new StartExecutionCommand({
              stateMachineArn: this.child.arn,
              // Map Run children are named `{Label}:{id}` by the service; moto needs a name given.
              name: `${String(this.map.Label ?? 'map')}-${this.childExecutions.length}`,
              input: JSON.stringify(next),
            }),
          ),
        );
        this.running = executionArn!;
        this.childExecutions.push(executionArn!);
        return;
      }
      const output = await this.writeResults(input);
      this.pending = undefined;
      await this.clients.parent.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      this.pending = undefined;
      this.failure = error;
      // moto refuses States.* names from SendTaskFailure; the test reports `failure` itself.
      await this.clients.parent.send(
        new SendTaskFailureCommand({ taskToken, error: 'MapRun.Failed', cause: String(error) }),
      );
    }
  }

  /**
   * moto deep-copies a state machine with its executions, locks included, when it starts one, so
   * a machine that has run once cannot start another: the child machine is created again (same
   * name, same ARN) before each child.
   */
  private async freshChildMachine(): Promise<void> {
    if (this.childExecutions.length > 0)
      await this.clients.children.send(new DeleteStateMachineCommand({ stateMachineArn: this.child.arn }));
    const created = await this.clients.children.send(
      new CreateStateMachineCommand({
        name: this.child.name,
        roleArn: this.child.roleArn,
        definition: this.child.definition,
      }),
    );
    this.child.arn = created.stateMachineArn!;
  }

  /** The ItemReader (JSONL from S3) and the ItemSelector, evaluated by aws-local-stepfunctions. */
  private async readItems(input: Json): Promise<Json[]> {
    const reader = this.map.ItemReader as { Parameters: { Bucket: string; 'Key.$': string } };
    const key = String(lookup(input, reader.Parameters['Key.$']));
    const body = await callingAs(MAP_RUN_CALLER, () =>
      this.clients.s3.send(new GetObjectCommand({ Bucket: reader.Parameters.Bucket, Key: key })),
    );
    const lines = (await body.Body!.transformToString()).split('\n').filter((line) => line.trim() !== '');
    const selector = new StateMachine(
      {
        StartAt: 'S',
        States: { S: { Type: 'Pass', Parameters: this.map.ItemSelector as never, End: true } },
      } as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    const inputs: Json[] = [];
    for (const [index, line] of lines.entries()) {
      const context = { Map: { Item: { Index: index, Value: JSON.parse(line) as Json } } };
      inputs.push((await selector.run(input as never, { context }).result) as Json);
    }
    return inputs;
  }

  /** SUCCEEDED_0.json / FAILED_0.json and manifest.json under the ResultWriter's prefix. */
  private async writeResults(input: Json): Promise<Json> {
    const writer = this.map.ResultWriter as { Parameters: { Bucket: string; 'Prefix.$': string } };
    const bucket = writer.Parameters.Bucket;
    const base = `${String(lookup(input, writer.Parameters['Prefix.$']))}/moto-map-run`;
    const files: Record<string, { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
    for (const status of ['SUCCEEDED', 'FAILED']) {
      const entries = this.results.filter((result) => result.Status === status);
      if (entries.length === 0) continue;
      const body = JSON.stringify(entries);
      const key = `${base}/${status}_0.json`;
      await callingAs(MAP_RUN_CALLER, () =>
        this.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
      );
      files[status]!.push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${base}/manifest.json`;
    const manifest = JSON.stringify({ DestinationBucket: bucket, MapRunArn: 'moto-map-run', ResultFiles: files });
    await callingAs(MAP_RUN_CALLER, () =>
      this.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: manifest })),
    );
    return { MapRunArn: 'moto-map-run', ResultWriterDetails: { Bucket: bucket, Key: manifestKey } };
  }
}

/** A `$.a.b` reference path of the Map's input. */
function lookup(input: Json, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((value, field) => (value as Json | undefined)?.[field], input);
}
