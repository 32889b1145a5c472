/** The output the loader hands back to the state machine when a Map item is delivered. */
export type TaskOutput = Record<string, unknown>;

/**
 * The state machine's task-token callbacks and execution start (Step Functions).
 * Only the loader completes a token with success; any stage may fail it.
 *
 * Adapters: `LocalWorkflow` (resolves tokens inside the local runtime), `StepFunctionsWorkflow` (aws).
 */
export interface Workflow {
  sendTaskSuccess(taskToken: string, output: TaskOutput): Promise<void>;
  /** `error` is a short code (e.g. `Extract.HttpError`), `cause` a readable sentence. */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(taskToken: string): Promise<void>;
}

/** Thrown by adapters when a token belongs to an execution that has already ended. */
export class StaleTaskTokenError extends Error {
  constructor(message = 'task token is no longer valid: its execution has ended or timed out') {
    super(message);
    this.name = 'StaleTaskTokenError';
  }
}
