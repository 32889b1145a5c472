import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { StaleTaskTokenError, type TaskOutput, type Workflow } from '../../ports';
import { isAwsError } from './awsErrors';

export interface StepFunctionsWorkflowOptions {
  client: SFNClient;
  /** ARN of the ingest state machine, for {@link StepFunctionsWorkflow.startExecution}. */
  stateMachineArn?: string;
}

/** Errors meaning the token's execution (or task) has ended: a late or replayed message. */
const STALE_TOKEN_ERRORS = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];
// Step Functions limits (API reference): error ≤ 256 characters, cause ≤ 32,768.
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;
const MAX_EXECUTION_NAME = 80;

/**
 * Task-token callbacks to Step Functions. A token whose execution has ended raises
 * {@link StaleTaskTokenError}, which consumers log and ignore (DESIGN.md §1: a DLQ replay after the
 * run ended still delivers the data).
 *
 * @example
 * const workflow = new StepFunctionsWorkflow({ client: new SFNClient({}) });
 * await workflow.sendTaskSuccess(message.taskToken, { rowsLoaded: 1200 });
 */
export class StepFunctionsWorkflow implements Workflow {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string | undefined;

  constructor(options: StepFunctionsWorkflowOptions) {
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  async sendTaskSuccess(taskToken: string, output: TaskOutput): Promise<void> {
    await this.callback(() =>
      this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    await this.callback(() =>
      this.client.send(
        new SendTaskFailureCommand({ taskToken, error: truncate(error, MAX_ERROR), cause: truncate(cause, MAX_CAUSE) }),
      ),
    );
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    await this.callback(() => this.client.send(new SendTaskHeartbeatCommand({ taskToken })));
  }

  /**
   * Starts an execution of the ingest state machine. `name` is made console-safe (letters, digits,
   * `-`, `_`; at most 80 characters) so it can carry the run id: re-using a name within 90 days
   * makes Step Functions refuse a duplicate start.
   */
  async startExecution(
    input: Record<string, unknown>,
    name?: string,
    stateMachineArn = this.stateMachineArn,
  ): Promise<{ executionArn: string }> {
    if (!stateMachineArn) throw new Error('no state machine ARN: set DIF_STATE_MACHINE_ARN or pass stateMachineArn');
    const response = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify(input),
        name: name === undefined ? undefined : executionName(name),
      }),
    );
    return { executionArn: response.executionArn ?? '' };
  }

  private async callback(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (STALE_TOKEN_ERRORS.some((name) => isAwsError(error, name))) {
        throw new StaleTaskTokenError(
          `task token is no longer valid (${(error as Error).name}): its execution has ended or timed out`,
        );
      }
      throw error;
    }
  }
}

/** A Step Functions execution name from free text. */
export function executionName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, MAX_EXECUTION_NAME);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
