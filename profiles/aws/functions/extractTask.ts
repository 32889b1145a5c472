import '../../../shared/runtime/polyfills';
import { logger } from '../../../shared/log';
import { createAwsContext } from '../createAwsContext';
import { extract } from '../../../services/extractor/handlers/extract';
import { exitAfterOutput } from '../../../shared/runtime/exitAfterOutput';
import { runExtractTask } from './runExtractTask';

/**
 * Container entry of the extractor for sources too long for Lambda's 15 minutes (ECS Fargate task
 * `ExtractTask` in serverless.yml). The state machine's `ecs:runTask.waitForTaskToken` passes the
 * Extract payload `{item, job}` as JSON in `DIF_TASK_INPUT` and the token in `DIF_TASK_TOKEN`. A
 * container's exit does not end a waiting task, so a failure is reported on the token before exiting
 * (runExtractTask).
 */
async function main(): Promise<number> {
  const raw = process.env.DIF_TASK_INPUT;
  if (!raw) {
    logger.error(
      'DIF_TASK_INPUT is not set: the state machine passes the Extract payload in it (ContainerOverrides.Environment)',
    );
    return 2;
  }
  const taskToken = process.env.DIF_TASK_TOKEN;
  if (!taskToken) {
    logger.error(
      'DIF_TASK_TOKEN is not set: the state machine passes $$.Task.Token in it (ContainerOverrides.Environment)',
    );
    return 2;
  }
  const input = { ...(JSON.parse(raw) as Omit<Parameters<typeof extract>[1], 'taskToken'>), taskToken };
  logger.appendKeys({ state: 'Extract', runtime: 'ecs', runId: input.item?.runId, itemId: input.item?.itemId });
  const ctx = await createAwsContext();
  try {
    return await runExtractTask(input, (payload) => extract(ctx, payload), ctx.ports.workflow);
  } finally {
    await ctx.ports.close();
  }
}

// The container's log driver reads stdout through a pipe: the last log lines must be out before the exit.
main().then(exitAfterOutput, (error: unknown) => {
  logger.error('extractor task crashed before it could run', error as Error);
  return exitAfterOutput(1);
});
