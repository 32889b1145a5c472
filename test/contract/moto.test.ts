import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SendTaskHeartbeatCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe } from 'vitest';
import {
  DynamoRunStateStore,
  DynamoSecretRecordStore,
  KmsKeyring,
  runStateTableDefinition,
  S3ObjectStore,
  SqsQueue,
  StepFunctionsWorkflow,
} from '../../shared/adapters/aws';
import {
  asMotoAccount,
  enableStateMachineExecution,
  MOTO_ACCOUNT,
  motoClientConfig,
  motoUrl,
  randomMotoAccount,
  uniqueName,
} from '../support/moto';
import {
  describeKeyringContract,
  describeObjectStoreContract,
  describeQueueContract,
  describeRunStateContract,
  describeSecretRecordStoreContract,
  describeWorkflowContract,
  sleep,
  type TaskOutcome,
} from './suites';

// The aws profile's adapters against moto_server, a real-protocol AWS emulator: each fixture makes
// its own bucket, queue pair, table, key or state machine, so files and parallel runs never share.
/**
 * moto_server answers requests on threads and its DynamoDB backend checks a condition and writes
 * without a lock, so two racing conditional writes can both succeed there (seen once in four
 * full runs). The races are decided on dynalite and SQLite, which serialise writes.
 */
const MOTO_DYNAMODB_RACES = 'moto 5.2 checks DynamoDB conditions and writes without a lock';

describe.skipIf(!motoUrl)('AWS adapters on moto_server', () => {
  describeObjectStoreContract('S3ObjectStore (moto)', async () => {
    const client = new S3Client({ ...motoClientConfig(), forcePathStyle: true });
    const bucket = uniqueName('contract');
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return { store: new S3ObjectStore({ client, bucket }), cleanup: async () => client.destroy() };
  });

  describeQueueContract(
    'SqsQueue (moto)',
    async ({ maxReceiveCount }) => {
      const client = new SQSClient(motoClientConfig());
      const name = uniqueName('contract');
      const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
      const dlqArn = (
        await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
      ).Attributes!.QueueArn!;
      const main = await client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }) },
        }),
      );
      return {
        queue: new SqsQueue({
          client,
          name: 'transform',
          queueUrl: main.QueueUrl!,
          deadLetterQueueUrl: dlq.QueueUrl!,
          listVisibilitySeconds: 5,
        }),
        cleanup: async () => {
          await client.send(new DeleteQueueCommand({ QueueUrl: main.QueueUrl }));
          await client.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl }));
          client.destroy();
        },
      };
    },
    { unsupported: { redriveAll: 'moto 5.2 does not implement StartMessageMoveTask' } },
  );

  /** A fresh run-state table, handed to `open`; dropped at cleanup. */
  async function dynamoTable<T>(open: (client: DynamoDBDocumentClient, tableName: string) => T) {
    const admin = new DynamoDBClient(motoClientConfig());
    const tableName = uniqueName('contract');
    await admin.send(new CreateTableCommand(runStateTableDefinition(tableName)));
    const client = DynamoDBDocumentClient.from(admin, { marshallOptions: { removeUndefinedValues: true } });
    return {
      store: open(client, tableName),
      cleanup: async () => {
        await admin.send(new DeleteTableCommand({ TableName: tableName }));
        admin.destroy();
      },
    };
  }

  describeRunStateContract(
    'DynamoRunStateStore (moto)',
    () => dynamoTable((client, tableName) => new DynamoRunStateStore({ client, tableName })),
    { unserialisedWrites: MOTO_DYNAMODB_RACES },
  );

  describeSecretRecordStoreContract(
    'DynamoSecretRecordStore (moto)',
    () => dynamoTable((client, tableName) => new DynamoSecretRecordStore({ client, tableName })),
    { unserialisedWrites: MOTO_DYNAMODB_RACES },
  );

  // moto's KMS really encrypts, and checks the encryption context on Decrypt.
  describeKeyringContract('KmsKeyring (moto)', async () => {
    const client = new KMSClient(motoClientConfig());
    const key = await client.send(new CreateKeyCommand({ Description: 'dif contract' }));
    const alias = `alias/${uniqueName('contract')}`;
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyMetadata!.KeyId }));
    return { keyring: new KmsKeyring({ client, keyId: alias }), cleanup: async () => client.destroy() };
  });

  // A real waiting task: moto executes a one-state machine whose Task hands its token to an SQS
  // queue (sqs:sendMessage.waitForTaskToken) and waits, as the ingest Extract state does. One
  // account per fixture: moto 5.2 starts only one execution per account (see asMotoAccount).
  // moto closes a token a moment after the callback returns (AWS: before); the fixture's workflow
  // waits for the execution to settle after a callback, so the contract tests the adapter, not the race.
  describeWorkflowContract(
    'StepFunctionsWorkflow (moto, executing)',
    async () => {
      await enableStateMachineExecution();
      const sfn = asMotoAccount(new SFNClient(motoClientConfig()), randomMotoAccount());
      const sqs = new SQSClient(motoClientConfig());
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('contract-tokens') }));
      const executions = new Map<string, string>();
      const adapter = new StepFunctionsWorkflow({ client: sfn });
      const settled = async (taskToken: string, callback: Promise<void>) => {
        await callback;
        await executionOutcome(sfn, executions.get(taskToken)!);
      };
      return {
        workflow: {
          sendTaskSuccess: (taskToken, output) => settled(taskToken, adapter.sendTaskSuccess(taskToken, output)),
          sendTaskFailure: (taskToken, error, cause) =>
            settled(taskToken, adapter.sendTaskFailure(taskToken, error, cause)),
          sendTaskHeartbeat: (taskToken) => adapter.sendTaskHeartbeat(taskToken),
        },
        openTask: async () => {
          const { stateMachineArn } = await sfn.send(
            new CreateStateMachineCommand({
              name: uniqueName('contract'),
              roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/dif-contract`,
              definition: JSON.stringify(waitForTokenDefinition(QueueUrl!)),
            }),
          );
          const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
          const taskToken = await receiveToken(sqs, QueueUrl!);
          await untilTaskListens(sfn, taskToken);
          executions.set(taskToken, executionArn!);
          return { taskToken, outcome: () => executionOutcome(sfn, executionArn!) };
        },
        cleanup: async () => {
          await sqs.send(new DeleteQueueCommand({ QueueUrl }));
          sqs.destroy();
          sfn.destroy();
        },
      };
    },
    {
      unsupported: {
        failureCause: 'moto 5.2 drops the cause of SendTaskFailure',
        staleFailure: 'moto 5.2 accepts SendTaskFailure for an ended task',
      },
    },
  );
});

/** One Task that sends its token to `queueUrl` and waits for it (HeartbeatSeconds: heartbeats are accepted). */
function waitForTokenDefinition(queueUrl: string) {
  return {
    StartAt: 'Wait for token',
    States: {
      'Wait for token': {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: { QueueUrl: queueUrl, MessageBody: { 'taskToken.$': '$$.Task.Token' } },
        HeartbeatSeconds: 60,
        End: true,
      },
    },
  };
}

async function receiveToken(sqs: SQSClient, queueUrl: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    if (Messages?.[0]) return (JSON.parse(Messages[0].Body!) as { taskToken: string }).taskToken;
  }
  throw new Error('the state machine sent no task token within 20 s');
}

/**
 * moto 5.2 sends the token before it arms the task's heartbeat wait; a success that lands in
 * between is stored but never wakes the wait, which then times the task out after
 * HeartbeatSeconds (seen once in CI on a loaded machine). Its heartbeat answers InvalidToken until
 * the wait is armed, so a task counts as open once a heartbeat is accepted.
 */
async function untilTaskListens(sfn: SFNClient, taskToken: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
      return;
    } catch (error) {
      if ((error as Error).name !== 'InvalidToken') throw error;
      await sleep(100);
    }
  }
  throw new Error('the execution did not start waiting for its task token within 10 s');
}

async function executionOutcome(sfn: SFNClient, executionArn: string): Promise<TaskOutcome> {
  // moto runs executions on a thread of its own; on a loaded 2-core machine 10 s was seen not to suffice.
  for (let attempt = 0; attempt < 300; attempt++) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status === 'SUCCEEDED')
      return { status: 'succeeded', output: JSON.parse(execution.output ?? 'null') as TaskOutcome & object };
    if (execution.status !== 'RUNNING')
      return { status: 'failed', error: execution.error ?? '', cause: execution.cause ?? '' };
    await sleep(100);
  }
  throw new Error(`execution ${executionArn} still running after 30 s`);
}
