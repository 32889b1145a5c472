import type { PlanOutput } from '../../../services/runs/handlers/plan';
import { listWorkItems } from '../../../services/runs/workItemFile';
import { text } from 'node:stream/consumers';
import { SendMessageCommand, SQSClient, ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { SFNClient, SendTaskFailureCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../../demo';
import { cleanReady } from '../../../shared/messages/cleanReady';
import { rawManifest, rawReady } from '../../../shared/messages/rawReady';
import type { WorkItem } from '../../../shared/messages/workItem';
import type { CredentialStore } from '../../../services/credentials';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { fakeKms } from './support/fakeKms';
import { emulatorCredentials, startDynalite, startS3rver, type RunningEmulator } from './support/emulators';

const BUCKET = 'dif-it-lake';
const TABLE = 'dif-it-state';
const lambdaContext = {
  functionName: 'dif-it',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:dif-it',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 60_000,
};

/**
 * The aws profile end to end through the Lambda entry points, with S3 (s3rver) and DynamoDB
 * (dynalite) for real and SQS/KMS/Step Functions as SDK mocks: plan → extract → transform, the
 * extractor's and transformer's S3 and run-state paths exactly as deployed.
 */
describe('aws profile against s3rver and dynalite', () => {
  let s3: RunningEmulator;
  let dynamo: RunningEmulator;
  let api: DemoApi;
  const sqs = mockClient(SQSClient);
  const sfn = mockClient(SFNClient);
  const kms = fakeKms();
  const saved = { ...process.env };
  let ctx: ServiceContext;

  beforeAll(async () => {
    [s3, dynamo, api] = await Promise.all([startS3rver([BUCKET]), startDynalite(TABLE), startDemoApi()]);
    Object.assign(process.env, {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: emulatorCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emulatorCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      DIF_S3_FORCE_PATH_STYLE: 'true',
      DIF_BUCKET: BUCKET,
      DIF_TABLE: TABLE,
      DIF_KMS_KEY_ID: 'alias/dif-it',
      DIF_TRANSFORM_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dif-it-transform',
      DIF_TRANSFORM_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dif-it-transform-dlq',
      DIF_LOAD_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dif-it-load',
      DIF_LOAD_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dif-it-load-dlq',
      DIF_CONFIG_DIR: process.cwd(),
      DIF_ECS_SUBNETS: 'subnet-a, subnet-b',
      DIF_MAP_CONCURRENCY: '12',
      DIF_DEMO_API_URL: api.url,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    const { lambdaServiceContext } = await import('../../../profiles/aws/lambda');
    ctx = await lambdaServiceContext();
    await (ctx.secrets as CredentialStore).put('acme', 'demo_ads', DEMO_CREDENTIALS.demo_ads!);
  }, 60_000);

  afterAll(async () => {
    await ctx?.ports.close();
    await Promise.all([s3?.close(), dynamo?.close(), api?.close()]);
    sqs.restore();
    sfn.restore();
    kms.restore();
    process.env = saved;
  });

  let items: WorkItem[];

  it('plans through the Lambda entry and records the run and items in DynamoDB', async () => {
    const { handler } = await import('../../../profiles/aws/functions/plan');
    // The profile read its settings once, at cold start: Plan reads no environment variable itself.
    process.env.DIF_ECS_SUBNETS = 'subnet-changed-later';
    process.env.DIF_MAP_CONCURRENCY = '99';
    const output = (await handler(
      { runId: 'r-aws', client: 'acme', source: 'demo_ads', trigger: { by: 'test' } },
      lambdaContext,
    )) as PlanOutput;
    // The state carries a reference; the items are JSON lines in S3 for the Distributed Map.
    expect(output.items.key).toBe('runs/r-aws/items.jsonl');
    expect(output).toMatchObject({ maxConcurrency: 12, ecsSubnets: ['subnet-a', 'subnet-b'] });
    items = await listWorkItems(ctx.ports.objectStore, output.items.key);
    expect(items).toHaveLength(output.itemCount);
    expect(output.itemCount).toBeGreaterThan(0);
    expect((await ctx.ports.runState.getRun('r-aws'))?.status).toBe('running');
    const stored = await ctx.ports.runState.listItems('r-aws');
    expect(stored.map((item) => item.itemId).sort()).toEqual(items.map((item) => item.itemId).sort());
    expect(stored.every((item) => item.stage === 'planned')).toBe(true);
  });

  it('extracts raw pages into S3 with decrypted credentials and hands RawReady to SQS', async () => {
    const { handler } = await import('../../../profiles/aws/functions/extract');
    const item = items.find((candidate) => candidate.stream === 'campaigns')!;
    await handler({ item, taskToken: 'token-campaigns' }, lambdaContext);
    const sent = sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent.at(-1)?.QueueUrl).toBe(process.env.DIF_TRANSFORM_QUEUE_URL);
    const message = rawReady.parse(JSON.parse(sent.at(-1)!.MessageBody!));
    expect(message).toMatchObject({ runId: 'r-aws', itemId: item.itemId, taskToken: 'token-campaigns' });
    const manifest = rawManifest.parse(
      JSON.parse(await text(await ctx.ports.objectStore.get(message.raw.manifestKey))),
    );
    expect(manifest.objects.length).toBe(message.raw.objects);
    const listed = await ctx.ports.objectStore.list(`raw/acme/demo_ads/campaigns/dt=all/run=r-aws/`);
    expect(listed.map((entry) => entry.key)).toEqual(
      expect.arrayContaining(manifest.objects.map((entry) => entry.key)),
    );
    const page = await text(await ctx.ports.objectStore.get(manifest.objects[0]!.key));
    expect((JSON.parse(page) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    expect(page).not.toContain(DEMO_CREDENTIALS.demo_ads!.access_token);
    expect(await ctx.ports.runState.getItem('r-aws', item.itemId)).toMatchObject({
      stage: 'extracted',
      attempts: 1,
      pages: message.raw.pages,
    });
  });

  it('transforms the SQS record into clean parts in S3 and a CleanReady for the load queue', async () => {
    const { handler } = await import('../../../profiles/aws/functions/transform');
    const body = sqs.commandCalls(SendMessageCommand).at(-1)!.args[0].input.MessageBody!;
    const before = sqs.commandCalls(SendMessageCommand).length;
    const response = await handler(
      {
        Records: [
          {
            messageId: 'sqs-1',
            receiptHandle: 'rh-1',
            body,
            attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
            messageAttributes: { 'dif-id': { stringValue: 'dif-1', dataType: 'String' } },
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dif-it-transform',
          },
        ],
      },
      lambdaContext,
    );
    expect(response).toEqual({ batchItemFailures: [] });
    const loadMessage = sqs
      .commandCalls(SendMessageCommand)
      .slice(before)
      .map((call) => call.args[0].input)
      .find((input) => input.QueueUrl === process.env.DIF_LOAD_QUEUE_URL);
    const clean = cleanReady.parse(JSON.parse(loadMessage!.MessageBody!));
    expect(clean.clean.rows).toBeGreaterThan(0);
    const copyManifest = JSON.parse(await text(await ctx.ports.objectStore.get(clean.clean.manifestKey))) as {
      entries: { url: string }[];
    };
    expect(copyManifest.entries).toHaveLength(clean.clean.parts);
    for (const entry of copyManifest.entries) {
      expect(entry.url.startsWith(`s3://${BUCKET}/clean/acme/demo_ads/campaigns/`)).toBe(true);
      expect(await ctx.ports.objectStore.head(ctx.ports.objectStore.keyFromUri(entry.url))).toBeDefined();
    }
    expect((await ctx.ports.runState.getItem('r-aws', clean.itemId))?.stage).toBe('transformed');
  });

  it('reports a failing record as a batch item failure and backs off its redelivery', async () => {
    const { handler } = await import('../../../profiles/aws/functions/transform');
    const record = (receiveCount: number, receiptHandle: string, body: string) => ({
      messageId: `sqs-${receiptHandle}`,
      receiptHandle,
      body,
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '0' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:dif-it-transform',
    });
    // An invalid message is retried (the producer may be redeployed): second receive → 60 s back-off.
    const second = await handler({ Records: [record(2, 'rh-2', '{"not":"a raw-ready"}')] }, lambdaContext);
    expect(second).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-rh-2' }] });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).at(-1)!.args[0].input).toEqual({
      QueueUrl: process.env.DIF_TRANSFORM_QUEUE_URL,
      ReceiptHandle: 'rh-2',
      VisibilityTimeout: 60,
    });
    // Last receive: the token fails with a cause naming the DLQ; SQS's redrive moves the message.
    const releasesBefore = sqs.commandCalls(ChangeMessageVisibilityCommand).length;
    const last = await handler(
      { Records: [record(5, 'rh-5', '{"runId":"r-aws","itemId":"x","taskToken":"token-x"}')] },
      lambdaContext,
    );
    expect(last).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-rh-5' }] });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(releasesBefore);
    const failure = sfn.commandCalls(SendTaskFailureCommand).at(-1)!.args[0].input;
    expect(failure).toMatchObject({ taskToken: 'token-x', error: 'Transform.RetriesExhausted' });
    expect(failure.cause).toMatch(/dead-letter queue/);
  });
});
