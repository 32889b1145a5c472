import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaleTaskTokenError, type TaskOutput, type Workflow } from '../../../shared/ports/Workflow';

/** How a waiting task ended, as the state machine sees it. */
export type TaskOutcome =
  { status: 'succeeded'; output: TaskOutput } | { status: 'failed'; error: string; cause: string };

export interface WorkflowFixture {
  workflow: Workflow;
  /** Starts a task that waits for its token, as a `waitForTaskToken` state does. */
  openTask(): Promise<{ taskToken: string; outcome(): Promise<TaskOutcome> }>;
  cleanup(): Promise<void>;
}

/**
 * The {@link Workflow} contract: a token completes its task once, with success or a failure and
 * cause; any later use of it — a redelivered or replayed message — is a StaleTaskTokenError.
 */
export interface WorkflowContractOptions {
  /** What the backing service (an emulator) gets wrong, each with the reason shown in the test name. */
  unsupported?: {
    /** The service drops the cause of a SendTaskFailure. */
    failureCause?: string;
    /** The service accepts a SendTaskFailure for a task that has already ended. */
    staleFailure?: string;
  };
}

export function describeWorkflowContract(
  adapterName: string,
  factory: () => Promise<WorkflowFixture>,
  options: WorkflowContractOptions = {},
): void {
  const { failureCause, staleFailure } = options.unsupported ?? {};
  describe(`Workflow contract: ${adapterName}`, () => {
    let fixture: WorkflowFixture;

    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('completes a waiting task with the output the loader sends', async () => {
      const task = await fixture.openTask();
      await fixture.workflow.sendTaskHeartbeat(task.taskToken);
      await fixture.workflow.sendTaskSuccess(task.taskToken, { itemId: 'i1', rowsLoaded: 12 });
      expect(await task.outcome()).toEqual({ status: 'succeeded', output: { itemId: 'i1', rowsLoaded: 12 } });
    });

    it(`fails a waiting task with an error name and a readable cause${failureCause ? ` (cause not checked: ${failureCause})` : ''}`, async () => {
      const task = await fixture.openTask();
      await fixture.workflow.sendTaskFailure(task.taskToken, 'Transform.RejectThreshold', '12% of rows rejected');
      expect(await task.outcome()).toEqual({
        status: 'failed',
        error: 'Transform.RejectThreshold',
        cause: failureCause ? expect.any(String) : '12% of rows rejected',
      });
    });

    it('treats any use of a completed token as stale, so a replay cannot complete a task twice', async () => {
      const task = await fixture.openTask();
      await fixture.workflow.sendTaskSuccess(task.taskToken, { rowsLoaded: 1 });
      await expect(fixture.workflow.sendTaskSuccess(task.taskToken, { rowsLoaded: 1 })).rejects.toBeInstanceOf(
        StaleTaskTokenError,
      );
      await expect(fixture.workflow.sendTaskHeartbeat(task.taskToken)).rejects.toBeInstanceOf(StaleTaskTokenError);
    });

    it.skipIf(staleFailure)(
      `refuses a failure for a task that already ended${staleFailure ? ` (skipped: ${staleFailure})` : ''}`,
      async () => {
        const task = await fixture.openTask();
        await fixture.workflow.sendTaskSuccess(task.taskToken, { rowsLoaded: 1 });
        await expect(fixture.workflow.sendTaskFailure(task.taskToken, 'Load.X', 'late')).rejects.toBeInstanceOf(
          StaleTaskTokenError,
        );
      },
    );
  });
}
