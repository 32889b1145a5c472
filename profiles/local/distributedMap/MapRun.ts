import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import type { ObjectStore } from '../../../shared/ports/ObjectStore';
import type { ExecutionStats } from '../ExecutionStats';
import type { DistributedMapSpec, MapRunParameters } from './distributedMapStates';
import { MapRunError } from './errors';
import { MapRunResultWriter, type ChildExecutionResult } from './MapRunResultWriter';

/** Step Functions runs at most 10,000 child executions of a Map Run at once (MaxConcurrency 0 means that many). */
const MAX_CHILD_EXECUTIONS = 10_000;

export interface MapRunOptions {
  /** The lake: the ItemReader's and ResultWriter's bucket, whatever the Bucket parameter names. */
  store: ObjectStore;
  /** Overrides and context the children run with: the same Task bindings as the parent. */
  childRunOptions: RunOptions;
  stats?: ExecutionStats;
}

type JsonValue = Parameters<StateMachine['run']>[0];

/** One item read from the item file, with its position (`$$.Map.Item.Index`). */
interface ReadItem {
  index: number;
  value: JsonValue;
}

/**
 * One run of a Distributed Map state, in process: reads the items (JSON Lines) from the object
 * store, turns each into its child input with the ItemSelector, runs the ItemProcessor as a
 * child execution of aws-local-stepfunctions per item with at most MaxConcurrency at once, and
 * honours ToleratedFailurePercentage/Count: past them it stops the children in flight and fails
 * with `States.ExceedToleratedFailureThreshold`. Each child's result goes to the ResultWriter's
 * files (or, without one, into the state's output, as on AWS). Items are streamed, never held.
 *
 * @example
 * const output = await new MapRun(spec, { store, childRunOptions }).run(parameters);
 * // { MapRunArn, ResultWriterDetails: { Bucket, Key: 'runs/r1/map-results/<id>/manifest.json' } }
 */
export class MapRun {
  private readonly processor: StateMachine;
  private readonly selector: StateMachine | undefined;
  private readonly mapRunId = randomUUID();
  private readonly aborts = new Set<() => void>();
  private failed = 0;
  private read = 0;
  /** Items in the file (up to MaxItems), counted before the first child starts, as the service does. */
  private total = 0;
  /** Why the Map Run stopped starting children (its failure), once it has. */
  private stopped: Error | undefined;

  constructor(
    private readonly spec: DistributedMapSpec,
    private readonly options: MapRunOptions,
  ) {
    const noValidate = { validationOptions: { noValidate: true } };
    this.processor = new StateMachine(spec.itemProcessor, noValidate);
    this.selector =
      spec.itemSelector === undefined
        ? undefined
        : new StateMachine(
            {
              StartAt: 'ItemSelector',
              States: { ItemSelector: { Type: 'Pass', Parameters: spec.itemSelector as never, End: true } },
            },
            noValidate,
          );
  }

  get arn(): string {
    return `arn:aws:states:local:000000000000:mapRun:ingest/${this.spec.label ?? this.spec.name}:${this.mapRunId}`;
  }

  async run(parameters: MapRunParameters): Promise<unknown> {
    const concurrency = Math.min(parameters.maxConcurrency || MAX_CHILD_EXECUTIONS, MAX_CHILD_EXECUTIONS);
    const writer =
      parameters.writer && this.spec.hasResultWriter
        ? new MapRunResultWriter(
            this.options.store,
            parameters.writer.Prefix ?? '',
            this.mapRunId,
            parameters.writer.Bucket ?? 'lake',
            this.arn,
          )
        : undefined;
    const outputs: unknown[] = [];
    try {
      this.total = await this.countItems(parameters.reader.Key);
    } catch (error) {
      await writer?.abort();
      throw error;
    }
    const items = this.readItems(parameters.reader.Key);
    const worker = async () => {
      try {
        for (let next = await items.next(); !next.done && !this.stopped; next = await items.next()) {
          const result = await this.runChild(next.value, parameters.input);
          if (writer) await writer.add(result);
          else outputs[next.value.index] = result.Output === undefined ? null : JSON.parse(result.Output);
          if (result.Status === 'FAILED') this.onFailure();
        }
      } catch (error) {
        this.stop(error instanceof Error ? error : new Error(String(error)));
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    this.checkTolerance();
    if (this.stopped) {
      await writer?.abort();
      throw this.stopped;
    }
    if (!writer) return outputs;
    const key = await writer.close().catch((error: unknown) => {
      throw new MapRunError('States.ResultWriterFailed', `could not write the Map Run's results: ${String(error)}`, {
        cause: error,
      });
    });
    return { MapRunArn: this.arn, ResultWriterDetails: { Bucket: parameters.writer?.Bucket, Key: key } };
  }

  /** The item file's items (non-empty lines), so tolerated percentages apply from the first failure. */
  private async countItems(key: string | undefined): Promise<number> {
    let count = 0;
    for await (const line of this.lines(key)) if (line.text.trim() !== '') count++;
    return Math.min(count, this.spec.readerConfig.MaxItems ?? Infinity);
  }

  /** The item file, line by line; `MaxItems` stops it early. */
  private async *readItems(key: string | undefined): AsyncGenerator<ReadItem> {
    const maxItems = this.spec.readerConfig.MaxItems ?? Infinity;
    for await (const { text, line } of this.lines(key)) {
      if (text.trim() === '') continue;
      if (this.read >= maxItems) break;
      let value: JsonValue;
      try {
        value = JSON.parse(text) as JsonValue;
      } catch (error) {
        throw new MapRunError(
          'States.ItemReaderFailed',
          `${this.spec.name}: line ${line} of ${key} is not JSON (${(error as Error).message})`,
        );
      }
      yield { index: this.read++, value };
    }
  }

  private async *lines(key: string | undefined): AsyncGenerator<{ text: string; line: number }> {
    if (!key) throw new MapRunError('States.ItemReaderFailed', `${this.spec.name}: the ItemReader names no Key`);
    const inputType = this.spec.readerConfig.InputType ?? 'JSONL';
    if (inputType !== 'JSONL')
      throw new MapRunError(
        'States.ItemReaderFailed',
        `${this.spec.name}: the local runtime reads ItemReader InputType JSONL, not ${inputType}`,
      );
    let body;
    try {
      body = await this.options.store.get(key);
    } catch (error) {
      throw new MapRunError(
        'States.ItemReaderFailed',
        `${this.spec.name}: cannot read the items at ${key}: ${String(error)}`,
        { cause: error },
      );
    }
    let line = 0;
    try {
      for await (const text of createInterface({ input: body, crlfDelay: Infinity })) yield { text, line: ++line };
    } finally {
      body.destroy();
    }
  }

  /** One child execution: ItemSelector, then the ItemProcessor with the parent's Task bindings. */
  private async runChild(item: ReadItem, mapInput: unknown): Promise<ChildExecutionResult> {
    const startDate = new Date().toISOString();
    const name = `${this.mapRunId}:${item.index}`;
    const base = {
      ExecutionArn: `${this.arn.replace(':mapRun:', ':execution:')}:${item.index}`,
      Name: name,
      StartDate: startDate,
    };
    let input: JsonValue = item.value;
    try {
      if (this.selector) input = await this.select(item, mapInput);
    } catch (error) {
      return this.failure(base, JSON.stringify(item.value), error);
    }
    const execution = this.processor.run(input, this.options.childRunOptions);
    this.aborts.add(execution.abort);
    const { stats } = this.options;
    if (stats) {
      stats.childExecutions++;
      void stats.watch(execution.eventLogs, 'child');
    }
    try {
      const output = await execution.result;
      return {
        ...base,
        Status: 'SUCCEEDED',
        Input: JSON.stringify(input),
        Output: JSON.stringify(output),
        StopDate: new Date().toISOString(),
      };
    } catch (error) {
      return this.failure(base, JSON.stringify(input), error);
    } finally {
      this.aborts.delete(execution.abort);
    }
  }

  /** The ItemSelector evaluated by the library itself, with `$$.Map.Item.Index/Value` in the context. */
  private async select(item: ReadItem, mapInput: unknown): Promise<JsonValue> {
    const context = {
      ...this.options.childRunOptions.context,
      Map: { Item: { Index: item.index, Value: item.value } },
    };
    return (await this.selector!.run(mapInput as JsonValue, { context }).result) as JsonValue;
  }

  private failure(
    base: Pick<ChildExecutionResult, 'ExecutionArn' | 'Name' | 'StartDate'>,
    input: string,
    error: unknown,
  ): ChildExecutionResult {
    // The library rejects with ExecutionError, whose cause is the state's error (name = ASL error).
    const cause = ((error as { cause?: unknown }).cause ?? error) as { name?: string; message?: string };
    return {
      ...base,
      Status: 'FAILED',
      Input: input,
      Error: cause.name ?? 'States.Runtime',
      Cause: cause.message ?? String(error),
      StopDate: new Date().toISOString(),
    };
  }

  private onFailure(): void {
    this.failed++;
    this.checkTolerance();
  }

  /** Fails the Map Run: no child starts any more, and those in flight are stopped (StopExecution on AWS). */
  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    for (const abort of this.aborts) abort();
  }

  /** Step Functions' rule: past the tolerated count or percentage (default 0) the Map Run fails. */
  private checkTolerance(): void {
    if (this.stopped || this.failed === 0) return;
    const { toleratedFailureCount: count, toleratedFailurePercentage: percentage } = this.spec;
    const overCount = count !== undefined && this.failed > count;
    // The percentage is of every item, known once the file is read to its end.
    const overPercentage = percentage !== undefined && this.failed * 100 > percentage * Math.max(this.total, 1);
    const noTolerance = count === undefined && percentage === undefined;
    if (!overCount && !overPercentage && !noTolerance) return;
    this.stop(
      new MapRunError(
        'States.ExceedToleratedFailureThreshold',
        `${this.spec.name}: ${this.failed} of ${this.total} child executions failed, more than the Map tolerates (${count === undefined ? '' : `ToleratedFailureCount ${count}`}${count !== undefined && percentage !== undefined ? ', ' : ''}${percentage === undefined ? '' : `ToleratedFailurePercentage ${percentage}`}${noTolerance ? 'no failure' : ''})`,
      ),
    );
  }
}
