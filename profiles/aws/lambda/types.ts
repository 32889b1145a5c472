/**
 * The parts of Lambda's event and context shapes the entry points read (the `aws-lambda` type
 * package is not a dependency; these match its definitions).
 */
export interface LambdaContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string; [name: string]: string | undefined };
  messageAttributes: Record<string, { stringValue?: string; dataType: string } | undefined>;
  eventSource: string;
  eventSourceARN: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}
