import { describe, expect, it } from 'vitest';
import { jobFailureOutcome } from '../../../services/extractor/asyncjob/jobFailureOutcome';
import { asyncJob } from '../../../shared/config/schema/asyncJob';

const config = (resubmit?: object) =>
  asyncJob.parse({
    create: { path: '/reports', method: 'POST' },
    id: '$.id',
    poll: {
      request: { path: '/reports/{{ job.id }}' },
      status: '$.status',
      running: ['RUNNING'],
      done: ['DONE'],
      failed: ['FAILED', 'CANCELLED'],
    },
    download: { url: '$.url' },
    ...(resubmit ? { resubmit } : {}),
  });
const failed = { id: 'j7', attempt: 1, polls: 2, status: 'FAILED', message: 'internal error' };

describe('a report job the platform failed', () => {
  it('is re-submitted after a growing wait until the attempts run out', () => {
    const job = config({ times: 2, wait: '30s', backoff_rate: 3 });
    expect(jobFailureOutcome(job, failed)).toEqual({ resubmit: true, waitSeconds: 30, message: 'internal error' });
    expect(jobFailureOutcome(job, { ...failed, attempt: 2 })).toMatchObject({ resubmit: true, waitSeconds: 90 });
    const last = jobFailureOutcome(job, { ...failed, attempt: 3 });
    expect(last).toMatchObject({ resubmit: false });
    expect(!last.resubmit && last.error).toMatch(
      /^the platform failed the report job 3 times \(async_job\.resubmit\.times: 2\); the last job, j7, ended with status "FAILED": "internal error"\. The platform ended these jobs, not DIF/,
    );
  });

  it('says to set resubmit when the source has none, and never blames max_polls', () => {
    const outcome = jobFailureOutcome(config(), failed);
    expect(!outcome.resubmit && outcome.error).toMatch(
      /^the platform failed report job j7 \(status "FAILED"\): "internal error"\. .*set async_job\.resubmit/,
    );
    expect(!outcome.resubmit && outcome.error).not.toMatch(/max_polls/);
  });

  it('does not re-submit a status outside resubmit.statuses, and a slow job is a max_polls matter', () => {
    const job = config({ statuses: ['FAILED'] });
    const cancelled = jobFailureOutcome(job, { ...failed, status: 'CANCELLED' });
    expect(!cancelled.resubmit && cancelled.error).toMatch(
      /which async_job\.resubmit\.statuses \(FAILED\) does not re-submit/,
    );
    const slow = jobFailureOutcome(job, { ...failed, status: 'RUNNING', polls: 120, timedOut: true });
    expect(!slow.resubmit && slow.error).toMatch(/still "RUNNING" after 120 polls .*raise max_polls/);
  });

  it('refuses resubmit statuses that are not failed statuses (dif validate)', () => {
    const result = asyncJob.safeParse({ ...config(), resubmit: { statuses: ['Job Failed'] } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['resubmit', 'statuses'],
      message: expect.stringContaining('"Job Failed" is not one of poll.failed (FAILED, CANCELLED)'),
    });
  });
});
