import { z } from 'zod';
import { recordsPath, shortDuration } from './common';
import { valueReader } from './valueReader';
import { pagination, request } from './request';

export const asyncJob = z
  .strictObject({
    create: request.describe('Request that starts the report job.'),
    id: valueReader.describe(
      'Where the job id is in the create response: a path, or { path | header, pattern }. Example: $.report_id, or { header: Location, pattern: "/reports/([^/]+)$" }',
    ),
    duplicate_id: valueReader
      .optional()
      .describe(
        'Where a "duplicate request" answer (409 or 425) names the existing job id; that job is followed instead. Example: $.error.existing_report_id, or (Amazon) { path: $.detail, pattern: "duplicate of : (\\S+)" }',
      ),
    poll: z
      .strictObject({
        request: request.describe('Status request; reads {{ job.id }}.'),
        status: valueReader.describe('Where the status is: a path, or { path | header, pattern }. Example: $.status'),
        running: z.array(z.string()).min(1).describe('Status values that mean "not ready yet".'),
        done: z.array(z.string()).min(1).describe('Status values that mean "ready to download".'),
        failed: z.array(z.string()).default([]).describe('Status values that mean the job failed.'),
        progress: valueReader
          .optional()
          .describe(
            'Where the job reports how far it is (a percentage or fraction), shown in logs and the Step Functions console. Example: $.percent_complete',
          ),
        message: valueReader
          .optional()
          .describe(
            "Where a failed job's status response says why; quoted in the error and the run report. Example: $.failureReason",
          ),
        wait: shortDuration.default('5s').describe('Wait between polls (the state machine Wait state).'),
        first_wait: shortDuration
          .optional()
          .describe(
            "Wait between creating the job and its first status request (the same Wait state), in whole seconds. Default: the first status request goes at once. Set it to the report's usual duration: a status request spent on a job that cannot be done yet uses the rate budget for nothing. Example: 30s",
          ),
        max_polls: z.number().int().positive().default(120).describe('Give up after this many polls.'),
      })
      .describe('How to poll the job.'),
    download: z
      .strictObject({
        url: valueReader
          .optional()
          .describe(
            'Where the download URL is in the status response (a path, or { path | header, pattern }). Example: $.location',
          ),
        request: request.optional().describe('Download request when the URL is not in the status; reads {{ job.id }}.'),
        records: recordsPath.optional().describe('Record selector of a paged JSON result.'),
        paginate: pagination.optional(),
        expired_statuses: z
          .array(z.number().int())
          .default([403, 410])
          .describe('Statuses meaning the URL expired: poll again for a fresh one.'),
        auth: z
          .enum(['none', 'source'])
          .optional()
          .describe(
            "Credentials on the download request. none: the URL carries its own signature (a pre-signed link; S3 refuses a second Authorization); source: the source's auth. Default: none for an absolute URL read from the status answer, source for a relative one or a configured request.",
          ),
        check_errors: z
          .boolean()
          .default(false)
          .describe(
            'Apply retry.error_when to the downloaded report (after decompression; only bodies small enough to be an error envelope, up to 64 KiB). Default false: a report is data, never an error envelope.',
          ),
      })
      .describe('How to fetch the finished report. Completed with no URL means no data.'),
    resubmit: z
      .strictObject({
        statuses: z
          .array(z.string())
          .min(1)
          .optional()
          .describe('Failed statuses worth a new job; default: every poll.failed status. Example: [Job Failed]'),
        times: z
          .number()
          .int()
          .min(1)
          .max(10)
          .default(2)
          .describe('How many times a failed job is created again before the item fails.'),
        wait: shortDuration
          .default('30s')
          .describe('Wait before the first re-submission (a state-machine Wait state, visible in the history).'),
        backoff_rate: z.number().min(1).max(10).default(2).describe('Each further wait is this many times longer.'),
      })
      .optional()
      .describe(
        'Platforms that fail report jobs now and then (Meta "Job Failed", Microsoft "Error") succeed when the job is created again: the state machine goes back to StartJob after a wait. Example: { times: 2, wait: 1m }',
      ),
  })
  .superRefine((job, context) => {
    if (job.resubmit && job.poll.failed.length === 0)
      context.addIssue({
        code: 'custom',
        path: ['resubmit'],
        message: 'resubmit needs poll.failed: list the statuses that mean the platform failed the job',
      });
    for (const status of job.resubmit?.statuses ?? []) {
      if (!job.poll.failed.includes(status))
        context.addIssue({
          code: 'custom',
          path: ['resubmit', 'statuses'],
          message: `"${status}" is not one of poll.failed (${job.poll.failed.join(', ') || 'none'}); only failed jobs are re-submitted`,
        });
    }
  })
  .describe('An asynchronous report: create → poll (in the state machine) → download.');

export type AsyncJob = z.infer<typeof asyncJob>;
