import { randomUUID } from 'node:crypto';
import { StaleTaskTokenError, type TaskOutput, type Workflow } from '../../ports';

/** Why a locally waiting task failed: carries the Step Functions error name for Retry/Catch. */
export class TaskFailedError extends Error {
  constructor(
    readonly error: string,
    readonly cause_: string,
  ) {
    super(cause_);
    // aws-local-stepfunctions matches Retry/Catch ErrorEquals against the error's name.
    this.name = error;
  }
}

interface PendingTask {
  resolve: (output: TaskOutput) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  lastHeartbeat: number;
}

/**
 * The task-token half of Step Functions, in process: the local runtime opens a token for each
 * `waitForTaskToken` state and waits on it; the loader (success) or any stage (failure)
 * completes it through the {@link Workflow} port exactly as on AWS. A token of an ended run is
 * stale, as on AWS.
 */
export class LocalWorkflow implements Workflow {
  private readonly pending = new Map<string, PendingTask>();

  /** Opens a token; the promise settles when a stage completes it or `timeoutMs` passes. */
  openTask(options: { timeoutMs?: number } = {}): { taskToken: string; completion: Promise<TaskOutput> } {
    const taskToken = `local-${randomUUID()}`;
    const completion = new Promise<TaskOutput>((resolve, reject) => {
      const task: PendingTask = { resolve, reject, lastHeartbeat: Date.now() };
      if (options.timeoutMs) {
        task.timer = setTimeout(() => {
          this.pending.delete(taskToken);
          reject(
            new TaskFailedError(
              'States.Timeout',
              `the item was not delivered within ${Math.round(options.timeoutMs! / 1000)} s`,
            ),
          );
        }, options.timeoutMs);
        task.timer.unref();
      }
      this.pending.set(taskToken, task);
    });
    return { taskToken, completion };
  }

  /** Abandons a token whose state failed before handing it on (e.g. the extractor threw). */
  closeTask(taskToken: string): void {
    const task = this.pending.get(taskToken);
    if (task?.timer) clearTimeout(task.timer);
    this.pending.delete(taskToken);
  }

  openTasks(): number {
    return this.pending.size;
  }

  async sendTaskSuccess(taskToken: string, output: TaskOutput): Promise<void> {
    this.take(taskToken).resolve(output);
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    this.take(taskToken).reject(new TaskFailedError(error, cause));
  }

  async sendTaskHeartbeat(taskToken: string): Promise<void> {
    const task = this.pending.get(taskToken);
    if (!task) throw new StaleTaskTokenError();
    task.lastHeartbeat = Date.now();
  }

  private take(taskToken: string): PendingTask {
    const task = this.pending.get(taskToken);
    if (!task) throw new StaleTaskTokenError();
    if (task.timer) clearTimeout(task.timer);
    this.pending.delete(taskToken);
    return task;
  }
}
