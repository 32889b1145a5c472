import type { AsyncJob } from '../../../shared/config/schema';
import { parseShortDuration } from '../../../shared/config/shortDuration';

/** What to do with a report job the platform reported failed (or that never finished). */
export type JobFailureOutcome =
  { resubmit: true; waitSeconds: number; message: string } | { resubmit: false; error: string; message: string };

/** The failed job as far as the decision needs it. */
export interface FailedJob {
  id: string;
  /** 1 for the item's first job, +1 per re-submission. */
  attempt: number;
  polls: number;
  /** The status value the platform reported. */
  status: string;
  /** The platform's explanation (`async_job.poll.message`), or an excerpt of its answer. */
  message: string;
  /** True when the job was still running at `max_polls` rather than reported failed. */
  timedOut?: boolean;
}

const RUN_AGAIN = 'run again later: the partition stays planned (and listed by `dif status`) until it loads';

/**
 * Decides between re-submitting a failed report job (`async_job.resubmit`: its statuses, how
 * many times, with what back-off) and failing the item with an error that says who failed the
 * job and what to do. A job still running at `max_polls` is never re-submitted: that is a slow
 * report, not a failed one.
 *
 * @example
 * jobFailureOutcome(config, { id: 'j1', attempt: 1, polls: 3, status: 'FAILED', message: 'internal error' });
 * // { resubmit: true, waitSeconds: 30, message: 'internal error' }
 */
export function jobFailureOutcome(config: AsyncJob, job: FailedJob): JobFailureOutcome {
  const { message } = job;
  const quoted = JSON.stringify(message);
  if (job.timedOut)
    return {
      resubmit: false,
      message,
      error: `report job ${job.id} was still "${job.status}" after ${job.polls} polls (async_job.poll.max_polls: ${config.poll.max_polls}); raise max_polls or poll.wait for slow reports`,
    };
  const resubmit = config.resubmit;
  if (!resubmit)
    return {
      resubmit: false,
      message,
      error: `the platform failed report job ${job.id} (status "${job.status}"): ${quoted}. Platforms fail report jobs now and then; set async_job.resubmit to create the job again automatically, or ${RUN_AGAIN}`,
    };
  const statuses = resubmit.statuses ?? config.poll.failed;
  if (!statuses.includes(job.status))
    return {
      resubmit: false,
      message,
      error: `the platform failed report job ${job.id} with status "${job.status}", which async_job.resubmit.statuses (${statuses.join(', ')}) does not re-submit: ${quoted}. Check the report parameters`,
    };
  if (job.attempt <= resubmit.times) {
    const seconds = (parseShortDuration(resubmit.wait) / 1000) * resubmit.backoff_rate ** (job.attempt - 1);
    return { resubmit: true, message, waitSeconds: Math.max(1, Math.round(seconds)) };
  }
  return {
    resubmit: false,
    message,
    error: `the platform failed the report job ${job.attempt} times (async_job.resubmit.times: ${resubmit.times}); the last job, ${job.id}, ended with status "${job.status}": ${quoted}. The platform ended these jobs, not DIF: ${RUN_AGAIN}, or ask the platform's support quoting job ${job.id}`,
  };
}
