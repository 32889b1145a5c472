/**
 * Grants the end-to-end run on moto (test/deploy/awsEndToEnd.test.ts) does not see used, each
 * with the reason it is still granted. Every other grant of a function's role must be used by an
 * AWS call that function made in that run; the test fails on any grant not used and not listed.
 * `role` '*' applies to every function role; `resource` is a substring of the granted pattern.
 */
export interface UnobservedGrant {
  role: string;
  action: string;
  resource?: string;
  reason: string;
}

export const UNOBSERVED_GRANTS: UnobservedGrant[] = [
  {
    role: '*',
    action: 'logs:CreateLogStream',
    reason: 'the Lambda runtime writes the function log with the role, not the function code',
  },
  {
    role: '*',
    action: 'logs:PutLogEvents',
    reason: 'the Lambda runtime writes the function log with the role, not the function code',
  },
  {
    role: '*',
    action: 'xray:PutTraceSegments',
    reason: 'active tracing: the Lambda service sends the segments with the role',
  },
  {
    role: '*',
    action: 'xray:PutTelemetryRecords',
    reason: 'active tracing: the Lambda service sends the telemetry with the role',
  },
  {
    role: '*',
    action: 's3:AbortMultipartUpload',
    reason: 'lib-storage aborts a multipart upload that failed, so its parts do not linger; no upload fails here',
  },
  {
    role: 'ExtractRole',
    action: 'states:SendTaskHeartbeat',
    reason: 'sent every 5 minutes of a long extraction (services/extractor/handlers/extract.ts); these take seconds',
  },
  {
    role: 'TransformRole',
    action: 's3:PutObject',
    resource: '/quarantine/',
    reason:
      'written only when records are rejected (test/unit/transformer/transformItem.test.ts); the demo report has none',
  },
  {
    role: 'TransformRole',
    action: 's3:GetObject',
    resource: '/clean/',
    reason:
      "the last byte range of a split item reads the other ranges' outputs (services/transformer/transformPiece.ts); covered by test/unit/transformer/splitMessages.test.ts; the demo objects are under transform.split_bytes",
  },
  {
    role: 'TransformRole',
    action: 'sqs:SendMessage',
    resource: '-transform',
    reason:
      'a raw object over transform.split_bytes is sent back as one message per byte range (services/transformer/ranges/sendPieces.ts); covered by test/unit/transformer/splitMessages.test.ts',
  },
  {
    role: 'TransformRole',
    action: 'sqs:ChangeMessageVisibility',
    reason:
      'shortens the wait before a failed delivery is retried (queueStageHandler); covered by test/unit/aws/awsProfile.integration.test.ts',
  },
  {
    role: 'LoadRole',
    action: 'sqs:ChangeMessageVisibility',
    reason: 'shortens the wait before a failed delivery is retried (queueStageHandler); no load fails here',
  },
  {
    role: 'TransformRole',
    action: 'states:SendTaskFailure',
    reason:
      "a permanent failure or the last allowed delivery fails the item's token (consumeMessage); covered by test/unit/aws/awsProfile.integration.test.ts",
  },
  {
    role: 'LoadRole',
    action: 'states:SendTaskFailure',
    reason:
      "a permanent failure or the last allowed delivery fails the item's token (consumeMessage); no load fails here",
  },
  {
    role: 'PollJobRole',
    action: 'dynamodb:UpdateItem',
    reason:
      'marks the item failed when the API reports the report job failed (handlers/pollJob.ts); the demo jobs succeed',
  },
  {
    role: 'ExtractTaskRole',
    action: 'states:SendTaskHeartbeat',
    reason: 'sent every 5 minutes of a long extraction (services/extractor/handlers/extract.ts); these take seconds',
  },
  {
    role: 'ExtractTaskRole',
    action: 'states:SendTaskFailure',
    reason:
      "the container fails its own token when the extraction fails (a container's exit does not end the task); nothing fails here",
  },
  {
    role: 'RedshiftCopyRole',
    action: 's3:ListBucket',
    reason:
      "Redshift's COPY asks for it on the bucket (AWS: COPY from S3 needs ListBucket); the PostgreSQL stand-in reads only the listed parts",
  },
  {
    role: 'RedshiftCopyRole',
    action: 's3:GetBucketLocation',
    reason: "Redshift's COPY looks up the bucket's region; the PostgreSQL stand-in does not",
  },
  {
    role: 'PollJobRole',
    action: 'dynamodb:PutItem',
    reason:
      'stores a refreshed OAuth access token (and a rotated refresh token) with the credentials when the shared one expired between StartJob and PollJob (test/integration/extractor/oauthToken.test.ts); here StartJob refreshed it and PollJob reused it',
  },
  {
    role: 'PollJobRole',
    action: 'kms:GenerateDataKey',
    reason: 'encrypts the refreshed OAuth token it stores (see dynamodb:PutItem above)',
  },
  {
    role: 'ExtractRole',
    action: 'dynamodb:PutItem',
    reason:
      'stores a refreshed OAuth access token when the shared one expired before the download (test/integration/extractor/oauthToken.test.ts); here the token StartJob stored was still fresh',
  },
  {
    role: 'ExtractTaskRole',
    action: 'dynamodb:PutItem',
    reason: 'the ECS extractor stores a refreshed OAuth token like the extract Lambda (see ExtractRole)',
  },
  {
    role: 'TransformRole',
    action: 'sqs:SendMessage',
    resource: 'transform-dlq',
    reason:
      'a permanent failure is sent to the DLQ with its cause (SqsQueue.deadLetter; test/unit/aws/SqsQueue.test.ts, test/integration/runs/deadLettersAndMoves.test.ts); nothing fails here',
  },
  {
    role: 'LoadRole',
    action: 'sqs:SendMessage',
    resource: 'load-dlq',
    reason: 'a permanent load failure is sent to the DLQ with its cause (see TransformRole)',
  },
  {
    role: 'PlanRole',
    action: 'kms:Decrypt',
    reason:
      "Plan decrypts a source's credentials to make the discovery call of `partition.from_stream` (test/integration/extractor/partitionDiscovery.test.ts); the Amazon-like source here lists no discovered partitions",
  },
  {
    role: 'PlanRole',
    action: 'kms:GenerateDataKey',
    reason: 'stores a refreshed OAuth token after a discovery call (see kms:Decrypt above)',
  },
  {
    role: 'RecordFailureRole',
    action: 'dynamodb:GetItem',
    reason:
      "the per-item flow's `Item failed` state records why an item failed (handlers/recordFailure.ts; test/unit/runs/recordFailure.test.ts, test/e2e/demoRun.test.ts); every demo item delivers here",
  },
  {
    role: 'RecordFailureRole',
    action: 'dynamodb:UpdateItem',
    reason: 'marks the failed item and its cause in run state (see dynamodb:GetItem above)',
  },
];
