import { credentialKeyOf } from '../../shared/config/credentialKey';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_CREDENTIALS, startDemoApi, type DemoApi } from '../../demo';
import { runStateTableDefinition } from '../../shared/adapters/aws';
import type { CredentialStore } from '../../services/credentials';
import { PostgresWarehouse } from '../../services/loader/warehouse/postgres/PostgresWarehouse';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import {
  asMotoAccount,
  enableStateMachineExecution,
  motoCredentials,
  motoUrl,
  randomMotoAccount,
  startPrivateMoto,
  type PrivateMoto,
} from '../support/moto';
import { MAP_RUN_CALLER, MAP_RUN_FUNCTION, MapRunPlayer, splitForMoto } from './support/mapRunPlayer';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { callingAs, recordAwsCalls, recordedCalls, type RecordedCall } from './support/awsCallRecorder';
import { allows, grantsOf, needsOf, resourceIndex, type Grant, type StackEnvironment } from './support/iamPolicy';
import { lambdaContext, startLambdaBridge, type LambdaBridge, type LambdaHandler } from './support/lambdaBridge';
import { packagedStack, root, type Template } from './support/packagedStack';
import { UNOBSERVED_GRANTS } from './unobservedGrants';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const DATABASE_URL = process.env.DIF_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const FUNCTIONS = ['plan', 'startJob', 'pollJob', 'extract', 'transform', 'load', 'recordFailure', 'finalize'] as const;
type FunctionName = (typeof FUNCTIONS)[number];
const ENTRIES: Record<FunctionName, string> = {
  plan: '../../profiles/aws/functions/plan',
  startJob: '../../profiles/aws/functions/startJob',
  pollJob: '../../profiles/aws/functions/pollJob',
  extract: '../../profiles/aws/functions/extract',
  finalize: '../../profiles/aws/functions/finalize',
  recordFailure: '../../profiles/aws/functions/recordFailure',
  transform: '../../profiles/aws/functions/transform',
  load: '../../profiles/aws/functions/load',
};

const hasMotoServer = (process.env.PATH ?? '')
  .split(':')
  .some((dir) => dir !== '' && existsSync(join(dir, 'moto_server')));

/**
 * The aws profile end to end, as deployed, on moto_server: the state machine is created in moto
 * from the packaged template's definition and executed by moto; its Lambda tasks reach the real
 * Lambda entry points through a local Invoke endpoint (moto calls the port in MOTO_PORT); the test
 * plays the SQS event-source mappings of transform and load; the loader writes to PostgreSQL in
 * place of Redshift and ends each item with SendTaskSuccess to moto. Every AWS call each function
 * makes is recorded and checked against that function's role in the packaged template.
 */
describe.skipIf(!motoUrl || !hasMotoServer)(
  'aws profile end to end on moto_server, with IAM from observed calls',
  () => {
    let template: Template;
    let api: DemoApi;
    let bridge: LambdaBridge;
    let moto: PrivateMoto;
    let env: StackEnvironment;
    /** The operator's view (credentials, assertions); `contexts` holds the load function's own. */
    let ctx: ServiceContext;
    const contexts: ServiceContext[] = [];
    let database: string;
    let queues: Record<'transform' | 'load', string>;
    const saved = { ...process.env };
    const handlers = {} as Record<FunctionName, LambdaHandler>;
    let player: MapRunPlayer | undefined;
    let execution: { status?: string; output?: string; error?: string; cause?: string };
    let summary: { status: string; runId: string; items: number };

    beforeAll(async () => {
      recordAwsCalls();
      database = `dif_e2e_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      [{ template }, api] = await Promise.all([packagedStack(), startDemoApi()]);
      bridge = await startLambdaBridge({
        ...Object.fromEntries(
          FUNCTIONS.map((name) => [name, (event: unknown, context: unknown) => handlers[name](event, context)]),
        ),
        [MAP_RUN_FUNCTION]: (event: unknown) => player!.invoke(event),
      });
      moto = await startPrivateMoto({ MOTO_PORT: String(bridge.port) });
      await enableStateMachineExecution(moto.url);
      const config = { endpoint: moto.url, region: REGION, credentials: motoCredentials };

      // The stack's resources, named as the packaged template names them.
      const kms = new KMSClient(config);
      const key = (await kms.send(new CreateKeyCommand({ Description: 'DIF e2e' }))).KeyMetadata!;
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/dif-dev', TargetKeyId: key.KeyId }));
      env = {
        region: REGION,
        account: ACCOUNT,
        stackName: 'dif-dev',
        physical: { LakeKey: { ref: key.KeyId!, arn: key.Arn! } },
      };
      const index = resourceIndex(template, env);
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      await s3.send(
        new CreateBucketCommand({
          Bucket: index.LakeBucket!.ref,
          CreateBucketConfiguration: { LocationConstraint: REGION },
        }),
      );
      await new DynamoDBClient(config).send(new CreateTableCommand(runStateTableDefinition(index.RunStateTable!.ref)));
      const sqs = new SQSClient(config);
      const queueUrl = async (id: string, deadLetter?: string) => {
        const name = index[id]!.arn.split(':').at(-1)!;
        const attributes = deadLetter
          ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: index[deadLetter]!.arn, maxReceiveCount: 5 }) }
          : undefined;
        return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
      };
      const dlqs = {
        transform: await queueUrl('TransformDeadLetterQueue'),
        load: await queueUrl('LoadDeadLetterQueue'),
      };
      queues = {
        transform: await queueUrl('TransformQueue', 'TransformDeadLetterQueue'),
        load: await queueUrl('LoadQueue', 'LoadDeadLetterQueue'),
      };

      // The functions' environment, as serverless.yml sets it, with every AWS endpoint on moto.
      Object.assign(process.env, {
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: motoCredentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: motoCredentials.secretAccessKey,
        AWS_ENDPOINT_URL: moto.url,
        DIF_S3_FORCE_PATH_STYLE: 'true',
        DIF_STAGE: 'dev',
        DIF_BUCKET: index.LakeBucket!.ref,
        DIF_KMS_KEY_ID: key.Arn,
        DIF_TABLE: index.RunStateTable!.ref,
        DIF_TRANSFORM_QUEUE_URL: queues.transform,
        DIF_TRANSFORM_DLQ_URL: dlqs.transform,
        DIF_LOAD_QUEUE_URL: queues.load,
        DIF_LOAD_DLQ_URL: dlqs.load,
        DIF_MAX_RECEIVE_COUNT: '5',
        DIF_CONFIG_DIR: root,
        DIF_DEMO_API_URL: api.url,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        POWERTOOLS_METRICS_DISABLED: 'true',
      });
      // Each function in a module graph of its own, as each is its own Lambda: its own cached
      // context, clients and credential cache, so what one function reads is not served to another.
      for (const name of FUNCTIONS) {
        vi.resetModules();
        handlers[name] = ((await import(ENTRIES[name])) as { handler: LambdaHandler }).handler;
        if (name !== 'load') continue;
        // PostgreSQL stands in for Redshift (the Redshift SQL itself runs on PostgreSQL in
        // test/integration/loader/redshiftSqlOnPostgres.test.ts); the rest is the deployed wiring.
        const { lambdaServiceContext } = await import('../../profiles/aws/lambda');
        const loadContext = await lambdaServiceContext();
        const postgres = new PostgresWarehouse({
          objectStore: loadContext.ports.objectStore,
          connectionString: DATABASE_URL.replace(/\/[^/]*$/, `/${database}`),
        });
        // Redshift's COPY reads the clean parts itself, with RedshiftCopyRole; the stand-in's
        // reads are recorded as that role's, not the load function's.
        loadContext.ports.warehouse = {
          load: (request) => callingAs('redshiftCopy', () => postgres.load(request)),
          query: (sql, params) => postgres.query(sql, params),
          close: () => postgres.close(),
        };
        contexts.push(loadContext);
      }
      vi.resetModules();
      const { createAwsContext } = await import('../../profiles/aws/createAwsContext');
      ctx = await createAwsContext();
      ctx.ports.warehouse = new PostgresWarehouse({
        objectStore: ctx.ports.objectStore,
        connectionString: DATABASE_URL.replace(/\/[^/]*$/, `/${database}`),
      });
      // What an operator does once per client and source (or once per shared login):
      // `dif credentials put` (aws profile). initech's Amazon login is a shared credential.
      const login = credentialKeyOf(
        'initech',
        'sponsored_ads',
        ctx.config.clients.get('initech')?.sources.sponsored_ads,
      );
      await (ctx.secrets as CredentialStore).put(login.client, login.source, DEMO_CREDENTIALS.sponsored_ads!);
      recordedCalls.length = 0;
    }, 300_000);

    afterAll(async () => {
      for (const context of contexts) await context.ports.close();
      await ctx?.ports.close();
      await Promise.all([moto?.close(), bridge?.close(), api?.close()]);
      process.env = saved;
      if (database) {
        const admin = new pg.Client({ connectionString: DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      }
    });

    it('runs Plan → item file → Map Run of child executions (async report jobs) → Extract → SQS → transform → SQS → load → SendTaskSuccess → Finalize', async () => {
      const config = { endpoint: moto.url, region: REGION, credentials: motoCredentials };
      const bucket = resourceIndex(template, env).LakeBucket!.ref;
      const { parent, child, map } = splitForMoto(
        JSON.parse(deployedDefinition(template, bucket)) as Record<string, unknown>,
        'Ingest each item',
        REGION,
        ACCOUNT,
      );
      // The children run in the stack's account, on a state machine of the deployed name (the
      // Map Run's StartExecution names it); the parent in an account of its own (moto: one
      // execution per account at a time).
      const children = new SFNClient(config);
      const sfn = asMotoAccount(new SFNClient(config), randomMotoAccount());
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/dif-dev-IngestStateMachineExecutionRole`;
      player = new MapRunPlayer(
        map,
        { s3: new S3Client({ ...config, forcePathStyle: true }), children, parent: sfn },
        { name: 'dif-dev-ingest', roleArn, definition: JSON.stringify(child) },
      );
      const { stateMachineArn } = await sfn.send(
        new CreateStateMachineCommand({ name: 'dif-dev-ingest', roleArn, definition: JSON.stringify(parent) }),
      );
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: 'e2e',
          input: JSON.stringify({ client: 'initech', source: 'sponsored_ads', trigger: { by: 'e2e test' } }),
        }),
      );
      const sqs = new SQSClient({ endpoint: moto.url, region: REGION, credentials: motoCredentials });
      const deadline = Date.now() + 120_000;
      for (;;) {
        execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (execution.status !== 'RUNNING' || Date.now() > deadline) break;
        await player.step();
        await pumpQueue(sqs, 'transform', queues.transform, handlers.transform);
        await pumpQueue(sqs, 'load', queues.load, handlers.load);
      }
      expect(player.failure, 'the Map Run played for moto').toBeUndefined();
      expect({ status: execution.status, error: execution.error, cause: execution.cause }).toEqual({
        status: 'SUCCEEDED',
        error: undefined,
        cause: undefined,
      });
      summary = JSON.parse(execution.output!) as typeof summary;
      expect(summary).toMatchObject({ status: 'succeeded', runId: expect.any(String) });
      expect(bridge.invocations.map((call) => call.name)).toEqual(
        expect.arrayContaining(['plan', 'startJob', 'pollJob', 'extract', 'finalize']),
      );
      const items = await ctx.ports.runState.listItems(summary.runId);
      expect(items.length).toBe(2);
      // One child execution per line of the item file Plan wrote; their results went to S3.
      expect(player.childExecutions).toHaveLength(2);
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      const runObjects = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `runs/${summary.runId}/` }));
      expect((runObjects.Contents ?? []).map((object) => object.Key).sort()).toEqual([
        `runs/${summary.runId}/items.jsonl`,
        `runs/${summary.runId}/map-results/moto-map-run/SUCCEEDED_0.json`,
        `runs/${summary.runId}/map-results/moto-map-run/manifest.json`,
      ]);
      expect(items.every((item) => item.stage === 'loaded')).toBe(true);
      const rows = items.reduce((sum, item) => sum + (item.rowsLoaded ?? 0), 0);
      expect(rows).toBeGreaterThan(0);
      expect(
        await ctx.ports.warehouse.query(`SELECT count(*)::int AS n FROM "initech"."sponsored_campaign_report"`),
      ).toEqual([{ n: rows }]);
      expect((await ctx.ports.runState.getRun(summary.runId))?.status).toBe('succeeded');
    }, 180_000);

    it("makes only AWS calls its role grants, and its role grants only what it calls (test/deploy/unobservedGrants.ts lists each exception's reason)", () => {
      expect(execution?.status, 'the end-to-end run must have succeeded first').toBe('SUCCEEDED');
      const index = resourceIndex(template, env);
      const keyArn = index.LakeKey!.arn;
      const rows: string[] = [];
      const denied: string[] = [];
      const unused: string[] = [];
      // Each function with its role; the ECS extractor runs the extract code with ExtractTaskRole;
      // Redshift's COPY (played by the PostgreSQL stand-in) reads with RedshiftCopyRole.
      const principals: [name: string, caller: string, role: string][] = [
        ...FUNCTIONS.map((name): [string, string, string] => [name, name, roleOf(template, name)]),
        ['extract (ECS task)', 'extract', 'ExtractTaskRole'],
        ['Redshift COPY', 'redshiftCopy', 'RedshiftCopyRole'],
      ];
      for (const [name, caller, role] of principals) {
        const grants = grantsOf(template, role, env, index);
        const calls = recordedCalls.filter((call) => call.caller === caller);
        const used = new Set<Grant>();
        for (const call of calls) {
          for (const need of needsOf(call, env, keyArn)) {
            const matching = grants.filter((grant) => allows(grant, need));
            if (matching.length === 0)
              denied.push(`${name} (${role}): ${need.action} on ${need.resource} for ${need.call}`);
            matching.forEach((grant) => used.add(grant));
          }
        }
        const extra = grants.filter((grant) => !used.has(grant));
        for (const grant of extra) {
          const excused = UNOBSERVED_GRANTS.some(
            (exception) =>
              (exception.role === '*' || exception.role === role) &&
              exception.action === grant.action &&
              (!exception.resource || grant.resource.includes(exception.resource)),
          );
          if (!excused) unused.push(`${role}: ${grant.action} on ${grant.resource}`);
        }
        rows.push(tableRow(name, role, calls, grants, extra, env));
      }
      // The Map Run's own calls (item file, child executions, results) with the state machine's
      // role. Only refusals are checked: its Lambda, ECS and log grants are used by the service.
      const machineRole = 'IngestStateMachineExecutionRole';
      const machineGrants = grantsOf(template, machineRole, env, index);
      const mapRunCalls = recordedCalls.filter((call) => call.caller === MAP_RUN_CALLER);
      expect(mapRunCalls.map((call) => call.operation).sort()).toEqual([
        'GetObject',
        'PutObject',
        'PutObject',
        'StartExecution',
        'StartExecution',
      ]);
      for (const call of mapRunCalls)
        for (const need of needsOf(call, env, keyArn))
          if (!machineGrants.some((grant) => allows(grant, need)))
            denied.push(`Map Run (${machineRole}): ${need.action} on ${need.resource} for ${need.call}`);
      writeCallsVsRoles(rows);
      expect(denied, 'calls the deployed role would refuse').toEqual([]);
      expect(unused, 'grants no call used; remove them or list them in test/deploy/unobservedGrants.ts').toEqual([]);
    });
  },
);

/** The role a function runs with, from the packaged template. */
function roleOf(template: Template, name: string): string {
  const logical = `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
  const role = template.Resources[logical]?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  if (!role) throw new Error(`no ${logical} with a role in the packaged template`);
  return role['Fn::GetAtt'][0];
}

/** The packaged ASL with its DefinitionString variables bound to the functions' (bridge) names and the bucket. */
function deployedDefinition(template: Template, bucket: string): string {
  const definition = template.Resources.IngestStateMachine!.Properties.DefinitionString as {
    'Fn::Sub': [string, Record<string, { 'Fn::GetAtt'?: [string, string]; Ref?: string }>];
  };
  const [text, variables] = definition['Fn::Sub'];
  return text.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, variable: string) => {
    const value = variables[variable];
    const logical = value?.['Fn::GetAtt']?.[0] ?? value?.Ref ?? variable;
    if (logical === 'LakeBucket') return bucket;
    const fn = /^(\w+)LambdaFunction$/.exec(logical)?.[1];
    if (fn) return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn.charAt(0).toLowerCase()}${fn.slice(1)}`;
    return `arn:aws:ecs:${REGION}:${ACCOUNT}:${logical}`;
  });
}

/**
 * Plays the Lambda SQS event source mapping of one stage, with the function's role: receives a
 * batch, invokes the function's entry with the SQS event, deletes what it did not report failed.
 */
async function pumpQueue(sqs: SQSClient, name: 'transform' | 'load', queueUrl: string, handler: LambdaHandler) {
  await callingAs(name, async () => {
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout'] }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return;
    const response = (await handler(
      { Records: Messages.map((message) => sqsRecord(message, queueUrl)) },
      lambdaContext(name),
    )) as { batchItemFailures: { itemIdentifier: string }[] };
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = Messages.filter((message) => !failed.has(message.MessageId!));
    if (done.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })),
        }),
      );
  });
}

function sqsRecord(message: Message, queueUrl: string) {
  const [, account, name] = new URL(queueUrl).pathname.split('/');
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: message.Attributes ?? {},
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
        key,
        { stringValue: value.StringValue, dataType: value.DataType },
      ]),
    ),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${account}:${name}`,
  };
}

function tableRow(
  name: string,
  role: string,
  calls: RecordedCall[],
  grants: Grant[],
  extra: Grant[],
  env: StackEnvironment,
) {
  const short = (text: string) =>
    text
      .replace(`arn:aws:s3:::dif-dev-lake-${env.account}-${env.region}`, 'bucket')
      .replace(`arn:aws:dynamodb:${env.region}:${env.account}:table/`, 'table/')
      .replace(`arn:aws:sqs:${env.region}:${env.account}:`, 'queue/')
      .replace(/arn:aws:kms:[^ ]+/, 'LakeKey')
      .replace(/arn:aws:logs:[^ ]+/, 'own log group');
  const observed = [...new Set(calls.map((call) => `${call.client.replace(/Client$/, '')}:${call.operation}`))].sort();
  const granted = [...new Set(grants.map((grant) => `${grant.action} ${short(grant.resource)}`))];
  const unused = [...new Set(extra.map((grant) => `${grant.action} ${short(grant.resource)}`))];
  return `| ${name} | ${role} | ${observed.join(', ')} | ${granted.join(', ')} | ${unused.join(', ') || '-'} |`;
}

/** The calls-vs-roles table, for the deploy notes: test-results/iam-calls-vs-roles.md. */
function writeCallsVsRoles(rows: string[]): void {
  const dir = join(root, 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'iam-calls-vs-roles.md'),
    [
      '| function | role | calls observed (end-to-end run on moto) | permissions granted | granted, not observed |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}
