import '../../../shared/runtime/polyfills';
import { logger } from '../../../shared/log';
import { createAwsContext } from '../../../shared/runtime/awsContext';
import { extract } from '../handlers/extract';
import { exitAfterOutput } from '../../../shared/runtime/exitAfterOutput';

/**
 * Container entry of the extractor for sources too long for Lambda's 15 minutes (ECS Fargate task
 * `ExtractTask` in serverless.yml). The state machine's `ecs:runTask.waitForTaskToken` passes the
 * Extract payload `{item, job}` as JSON in `DIF_TASK_INPUT` and the token in `DIF_TASK_TOKEN`. A
 * container's exit does not end a waiting task, so a failure is reported on the token before exiting.
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
    await extract(ctx, input);
    return 0;
  } catch (error) {
    const failure = error as Error & { code?: string };
    logger.error('Extract failed', failure);
    const code = failure.code
      ? `Extract.${failure.code}`
      : failure.name.includes('.')
        ? failure.name
        : 'Extract.Failed';
    await ctx.ports.workflow.sendTaskFailure(input.taskToken, code, failure.message).catch((reason: unknown) => {
      logger.error('could not fail the task token; the task ends at its heartbeat timeout', { error: String(reason) });
    });
    return 1;
  } finally {
    await ctx.ports.close();
  }
}

// The container's log driver reads stdout through a pipe: the last log lines must be out before the exit.
main().then(exitAfterOutput, (error: unknown) => {
  logger.error('extractor task crashed before it could run', error as Error);
  return exitAfterOutput(1);
});
