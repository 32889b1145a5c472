import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { createJob, type AsyncJobState } from '../asyncjob/asyncJobState';
import { beginAttempt } from '../beginAttempt';
import { openSession } from '../openSession';

/**
 * The StartJob state of an async report: creates the report job and returns its state for
 * Wait → PollJob. A "duplicate request" answer that names an existing job follows that job.
 */
export async function startJob(
  ctx: ServiceContext,
  input: { item: WorkItem },
): Promise<{ item: WorkItem; job: AsyncJobState }> {
  const { item } = input;
  await beginAttempt(ctx, item);
  const session = await openSession(ctx, item);
  const job = await createJob(session, item, ctx.now());
  return { item, job };
}
