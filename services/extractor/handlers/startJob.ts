import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { logger } from '../../../shared/log/logger';
import { createJob, type AsyncJobState } from '../asyncjob/asyncJobState';
import { itemProgress } from '../../../shared/runState/itemProgress';
import { openSession } from '../openSession';
import { parseShortDuration } from '../../../shared/config/shortDuration';

export interface StartJobOutput {
  item: WorkItem;
  job: AsyncJobState;
  /** Seconds the state machine waits before the first status request (`async_job.poll.first_wait`; 0: at once). */
  waitSeconds: number;
}

/**
 * The StartJob state of an async report: creates the report job and returns its state for
 * Wait (`async_job.poll.first_wait`, when set) → PollJob. A "duplicate request" answer that names an existing job follows that job.
 * Entered again with the failed job (`async_job.resubmit`), it creates the next one and counts
 * the re-submission in run state.
 *
 * @example
 * const { job, waitSeconds } = await startJob(ctx, { item }); // job.attempt === 1
 */
export async function startJob(
  ctx: ServiceContext,
  input: { item: WorkItem; job?: AsyncJobState | null },
): Promise<StartJobOutput> {
  const { item } = input;
  const attempt = input.job ? (input.job.attempt ?? 1) + 1 : 1;
  await itemProgress(ctx.ports.runState, item).attemptStarted();
  if (attempt > 1) {
    await itemProgress(ctx.ports.runState, item).resubmitted(attempt - 1);
    logger.warn('report job re-submitted', {
      runId: item.runId,
      itemId: item.itemId,
      attempt,
      failedJobId: input.job?.id,
      lastFailure: input.job?.lastFailure,
    });
  }
  const session = await openSession(ctx, item);
  const job = await createJob(session, item, ctx.now(), attempt);
  const firstWait = session.stream.async_job?.poll.first_wait;
  return {
    item,
    job: input.job?.lastFailure ? { ...job, lastFailure: input.job.lastFailure } : job,
    // Whole seconds, as a Wait state takes them; a wait under half a second rounds to polling at once.
    waitSeconds: firstWait === undefined ? 0 : Math.round(parseShortDuration(firstWait) / 1000),
  };
}
