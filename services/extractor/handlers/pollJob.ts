import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { logger } from '../../../shared/log/logger';
import { failureMessageOf, pollOnce, progressOf, type AsyncJobState, type JobStatus } from '../asyncjob/asyncJobState';
import { jobFailureOutcome } from '../asyncjob/jobFailureOutcome';
import { openSession } from '../openSession';
import { itemProgress } from '../../../shared/runState/itemProgress';

export interface PollJobOutput {
  item: WorkItem;
  job: AsyncJobState;
  status: JobStatus;
  /** How long the state machine's Wait state should wait before the next poll (or re-submission). */
  waitSeconds: number;
}

/**
 * The PollJob state: one status request, mapped to running | ready | failed | resubmit. It never
 * sleeps; the state machine waits `waitSeconds` and polls again, or goes back to StartJob when
 * the platform failed the job and `async_job.resubmit` allows another one. Past `max_polls` the
 * job counts as failed.
 *
 * @example
 * const { status, waitSeconds } = await pollJob(ctx, { item, job });
 */
export async function pollJob(
  ctx: ServiceContext,
  input: { item: WorkItem; job: AsyncJobState },
): Promise<PollJobOutput> {
  const { item } = input;
  const session = await openSession(ctx, item);
  const poll = await pollOnce(session, item, input.job);
  const progress = progressOf(session, poll.answer);
  const job: AsyncJobState = {
    ...input.job,
    polls: input.job.polls + 1,
    status: poll.raw,
    ...(progress === undefined ? {} : { progress }),
  };
  const context = { runId: item.runId, itemId: item.itemId, jobId: job.id, attempt: job.attempt ?? 1 };
  logger.info('report job polled', { ...context, status: poll.raw, progress, polls: job.polls });
  const config = session.stream.async_job!;
  const timedOut = poll.status === 'running' && job.polls >= config.poll.max_polls;
  if (poll.status !== 'failed' && !timedOut) return { item, job, status: poll.status, waitSeconds: poll.waitSeconds };

  const outcome = jobFailureOutcome(config, {
    id: job.id,
    attempt: job.attempt ?? 1,
    polls: job.polls,
    status: poll.raw,
    message: failureMessageOf(session, poll.answer),
    timedOut,
  });
  if (outcome.resubmit) {
    logger.warn('report job failed; re-submitting', {
      ...context,
      status: poll.raw,
      platformMessage: outcome.message,
      waitSeconds: outcome.waitSeconds,
    });
    return {
      item,
      job: { ...job, lastFailure: outcome.message },
      status: 'resubmit',
      waitSeconds: outcome.waitSeconds,
    };
  }
  logger.error('report job failed', { ...context, status: poll.raw, error: outcome.error });
  await itemProgress(ctx.ports.runState, item).failed(outcome.error);
  return { item, job: { ...job, status: outcome.error }, status: 'failed', waitSeconds: 0 };
}
