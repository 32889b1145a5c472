import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoRunStateStore,
  DynamoSecretRecordStore,
  KmsKeyring,
  runStateTableDefinition,
  S3ObjectStore,
  StepFunctionsWorkflow,
} from '../../shared/adapters/aws';
import { fakeKms } from '../unit/aws/support/fakeKms';
import {
  documentClient,
  dynamoClient,
  s3Client,
  startDynalite,
  startS3rver,
  type RunningEmulator,
} from '../unit/aws/support/emulators';
import {
  describeKeyringContract,
  describeObjectStoreContract,
  describeRunStateContract,
  describeSecretRecordStoreContract,
  describeWorkflowContract,
  type TaskOutcome,
} from './suites';

// The emulators start once for this file (on free ports, in-process); each fixture gets a fresh
// bucket or table so tests stay independent.
let s3rver: Promise<RunningEmulator> | undefined;
let dynalite: Promise<RunningEmulator> | undefined;
let sequence = 0;

afterAll(async () => {
  await Promise.all([s3rver?.then((emulator) => emulator.close()), dynalite?.then((emulator) => emulator.close())]);
});

describeObjectStoreContract('S3ObjectStore (s3rver)', async () => {
  s3rver ??= startS3rver([]);
  const { endpoint } = await s3rver;
  const client = s3Client(endpoint);
  const bucket = `contract-${process.pid}-${++sequence}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return { store: new S3ObjectStore({ client, bucket }), cleanup: async () => client.destroy() };
});

/** A fresh run-state table on dynalite, handed to `open`; dropped at cleanup. */
async function dynamoTable<T>(
  open: (client: ReturnType<typeof documentClient>, tableName: string) => T,
): Promise<{ store: T; cleanup(): Promise<void> }> {
  dynalite ??= startDynalite(`bootstrap-${process.pid}`);
  const { endpoint } = await dynalite;
  const admin = dynamoClient(endpoint);
  const tableName = `contract-${++sequence}`;
  await admin.send(new CreateTableCommand(runStateTableDefinition(tableName)));
  const client = documentClient(endpoint);
  return {
    store: open(client, tableName),
    cleanup: async () => {
      await admin.send(new DeleteTableCommand({ TableName: tableName }));
      admin.destroy();
      client.destroy();
    },
  };
}

describeRunStateContract('DynamoRunStateStore (dynalite)', () =>
  dynamoTable((client, tableName) => new DynamoRunStateStore({ client, tableName })),
);

describeSecretRecordStoreContract('DynamoSecretRecordStore (dynalite)', () =>
  dynamoTable((client, tableName) => new DynamoSecretRecordStore({ client, tableName })),
);

// No KMS emulator exists on npm: the SDK mock keeps KMS's rule that a data key opens only under
// its encryption context, so the adapter's request shapes and error mapping are what is tested.
describeKeyringContract('KmsKeyring (SDK mock with context checks)', async () => {
  const mock = fakeKms();
  return {
    keyring: new KmsKeyring({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/dif-contract' }),
    cleanup: async () => void mock.restore(),
  };
});

// Step Functions as the SDK sees it: a token answers once; afterwards the service says the task
// timed out or the token is invalid, as it does for a late or replayed message.
describeWorkflowContract('StepFunctionsWorkflow (SDK mock with task-token rules)', async () => {
  const open = new Map<string, (outcome: TaskOutcome) => void>();
  const gone = () => Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
  const settle = (token: string, outcome: TaskOutcome) => {
    const resolve = open.get(token);
    if (!resolve) throw gone();
    open.delete(token);
    resolve(outcome);
    return {};
  };
  const mock = mockClient(SFNClient);
  mock
    .on(SendTaskSuccessCommand)
    .callsFake((input: { taskToken: string; output: string }) =>
      settle(input.taskToken, { status: 'succeeded', output: JSON.parse(input.output) }),
    );
  mock
    .on(SendTaskFailureCommand)
    .callsFake((input: { taskToken: string; error: string; cause: string }) =>
      settle(input.taskToken, { status: 'failed', error: input.error, cause: input.cause }),
    );
  mock.on(SendTaskHeartbeatCommand).callsFake((input: { taskToken: string }) => {
    if (!open.has(input.taskToken)) throw gone();
    return {};
  });
  let tokens = 0;
  return {
    workflow: new StepFunctionsWorkflow({ client: new SFNClient({ region: 'eu-west-1' }) }),
    openTask: async () => {
      const taskToken = `token-${++tokens}`;
      const outcome = new Promise<TaskOutcome>((resolve) => open.set(taskToken, resolve));
      return { taskToken, outcome: () => outcome };
    },
    cleanup: async () => void mock.restore(),
  };
});
