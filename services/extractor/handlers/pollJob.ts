import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { logger } from '../../../shared/log/logger';
import { pollOnce, progressOf, type AsyncJobState, type JobStatus } from '../asyncjob/asyncJobState';
import { openSession } from '../openSession';

export interface PollJobOutput {
  item: WorkItem;
  job: AsyncJobState;
  status: JobStatus;
  /** How long the state machine's Wait state should wait before the next poll. */
  waitSeconds: number;
}

/**
 * The PollJob state: one status request, mapped to running | ready | failed. It never sleeps;
 * the state machine waits `waitSeconds` and polls again. Past `max_polls` the job counts as failed.
 */
export async function pollJob(
  ctx: ServiceContext,
  input: { item: WorkItem; job: AsyncJobState },
): Promise<PollJobOutput> {
  const { item } = input;
  const session = await openSession(ctx, item);
  const poll = await pollOnce(session, item, input.job);
  const progress = progressOf(session, poll.body);
  const job: AsyncJobState = {
    ...input.job,
    polls: input.job.polls + 1,
    status: poll.raw,
    ...(progress === undefined ? {} : { progress }),
  };
  logger.info('report job polled', {
    runId: item.runId,
    itemId: item.itemId,
    jobId: job.id,
    status: poll.raw,
    progress,
    polls: job.polls,
  });
  const maxPolls = session.stream.async_job?.poll.max_polls ?? Infinity;
  let status = poll.status;
  if (status === 'running' && job.polls >= maxPolls) status = 'failed';
  if (status === 'failed') {
    const reason =
      poll.status === 'failed'
        ? `the API reports status "${poll.raw}"`
        : `still "${poll.raw}" after ${job.polls} polls (async_job.poll.max_polls)`;
    const error = `report job ${job.id} failed: ${reason}. Check the report parameters, or raise max_polls for slow reports.`;
    await ctx.ports.runState.updateItem(item.runId, item.itemId, { stage: 'failed', error });
    return { item, job: { ...job, status: error }, status, waitSeconds: 0 };
  }
  return { item, job, status, waitSeconds: poll.waitSeconds };
}
