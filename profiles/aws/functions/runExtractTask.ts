import { logger, redact } from '../../../shared/log';
import type { Workflow } from '../../../shared/ports/Workflow';
import { stepFunctionsErrorName } from '../../../shared/runtime/stepFunctionsError';
import type { ExtractInput } from '../../../services/extractor/handlers/extract';

/** The ASL state the ECS task stands for: its failures are named `Extract.*`, as on the Lambda route. */
export const EXTRACT_TASK_STATE = 'Extract';

/**
 * Runs the extractor inside the ECS task and returns the container's exit code. A container's
 * exit does not end a waiting `ecs:runTask.waitForTaskToken` state, so a failure is reported on
 * the token here, named by {@link stepFunctionsErrorName} like every other error the ASL sees: a
 * network error is `Extract.Transient`, which the "Extract on ECS" state retries.
 *
 * @example
 * const code = await runExtractTask(input, (payload) => extract(ctx, payload), ctx.ports.workflow);
 */
export async function runExtractTask(
  input: ExtractInput,
  run: (input: ExtractInput) => Promise<unknown>,
  workflow: Pick<Workflow, 'sendTaskFailure'>,
): Promise<number> {
  try {
    await run(input);
    return 0;
  } catch (error) {
    logger.error('Extract failed', error as Error);
    const name = stepFunctionsErrorName(EXTRACT_TASK_STATE, error);
    const cause = redact(error instanceof Error ? error.message : String(error));
    await workflow.sendTaskFailure(input.taskToken, name, cause).catch((reason: unknown) => {
      logger.error('could not fail the task token; the task ends at its heartbeat timeout', { error: String(reason) });
    });
    return 1;
  }
}
