import type { FaultRule } from './faults';

/**
 * Failures real platforms show that must never leave a silent gap (issue 13), aimed at the
 * demo client `initech`:
 * - its Amazon-like report job for the week of 2026-02-01 ends `FAILED` once; created again
 *   (`async_job.resubmit` in sources/sponsored_ads.yml) it succeeds within the same run;
 * - its Meta-like insights of account 1002 for the week of 2026-02-01 meet a 503 storm of
 *   `STORM_REQUESTS` answers: exactly the attempts of one run (graph_ads keeps the default
 *   `retry.max_attempts: 5`), so the first run fails naming the gap and a plain re-run fills it,
 *   although that week lies before the stream's lookback window.
 */
export const STORM_REQUESTS = 5;

export const PLATFORM_FAILURES: { faults: FaultRule[]; jobsFailingOnce: string[] } = {
  faults: [
    {
      path: '/ads/v1/campaigns/1002001/stats',
      query: 'since=2026-02-01',
      kind: 'status',
      status: 503,
      retryAfter: '0',
      times: STORM_REQUESTS,
    },
  ],
  jobsFailingOnce: ['amazon|1001|2026-02-01'],
};
