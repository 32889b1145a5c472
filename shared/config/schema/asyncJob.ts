import { z } from 'zod';
import { jsonPath, shortDuration } from './common';
import { pagination, request } from './request';

export const asyncJob = z
  .strictObject({
    create: request.describe('Request that starts the report job.'),
    id: jsonPath.describe('Where the job id is in the create response. Example: $.report_id'),
    duplicate_id: jsonPath
      .optional()
      .describe(
        'Where a "duplicate request" answer names the existing job id; that job is followed instead. Example: $.error.existing_report_id',
      ),
    poll: z
      .strictObject({
        request: request.describe('Status request; reads {{ job.id }}.'),
        status: jsonPath.describe('Where the status is. Example: $.status'),
        running: z.array(z.string()).min(1).describe('Status values that mean "not ready yet".'),
        done: z.array(z.string()).min(1).describe('Status values that mean "ready to download".'),
        failed: z.array(z.string()).default([]).describe('Status values that mean the job failed.'),
        progress: jsonPath
          .optional()
          .describe(
            'Where the job reports how far it is (a percentage or fraction), shown in logs and the Step Functions console. Example: $.percent_complete',
          ),
        wait: shortDuration.default('5s').describe('Wait between polls (the state machine Wait state).'),
        max_polls: z.number().int().positive().default(120).describe('Give up after this many polls.'),
      })
      .describe('How to poll the job.'),
    download: z
      .strictObject({
        url: jsonPath.optional().describe('Where the download URL is in the status response. Example: $.location'),
        request: request.optional().describe('Download request when the URL is not in the status; reads {{ job.id }}.'),
        records: jsonPath.optional().describe('Record selector of a paged JSON result.'),
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
  })
  .describe('An asynchronous report: create → poll (in the state machine) → download.');
