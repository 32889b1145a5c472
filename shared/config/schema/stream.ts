import { z } from 'zod';
import { identifier, recordsPath } from './common';
import { childTable } from './childTable';
import { columns } from './columns';
import { format } from './format';
import { load } from './load';
import { pagination, request } from './request';
import { transform } from './transform';
import { asyncJob } from './asyncJob';
import { expectRecords } from './expectRecords';
import { incremental } from './incremental';
import { parent } from './parent';
import { partition } from './partition';
import { streamLimits } from './limits';

export const stream = z
  .strictObject({
    description: z.string().optional().describe('What the stream holds, for people.'),
    // Extraction (services/extractor)
    request: request
      .optional()
      .describe('The request that fetches the stream; required unless the stream is an async_job report.'),
    records: recordsPath.default('$').describe('Where the records are in a JSON response. Example: $.data'),
    expect_records: expectRecords,
    paginate: pagination.default({ type: 'none' }),
    partition: partition.optional(),
    parent: parent.optional(),
    async_job: asyncJob.optional(),
    incremental: incremental.optional(),
    runtime: z
      .enum(['lambda', 'ecs'])
      .default('lambda')
      .describe('Where extraction runs: lambda (up to 15 minutes) or ecs (long or very large extractions).'),
    limits: streamLimits.optional(),
    // Decoding and cleaning (services/transformer)
    format: format,
    transform: transform.optional(),
    columns: columns,
    primary_key: z.array(identifier).default([]).describe('Columns that identify a record; required by merge loads.'),
    children: z
      .record(identifier, childTable)
      .optional()
      .describe(
        'Child tables exploded from array fields of the same records, by name. Example: { insight_actions: { explode: actions, columns: …, load: { table: insight_actions } } }',
      ),
    // Loading (services/loader)
    load: load,
  })
  .describe('One dataset of a source: the request(s) that fetch it and the table it lands in.');
