import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll } from 'vitest';
import { KMSClient } from '@aws-sdk/client-kms';
import { DynamoRunStateStore, DynamoSecretRecordStore, KmsKeyring, runStateTableDefinition, S3ObjectStore } from '../../shared/adapters/aws';
import { fakeKms } from '../unit/aws/support/fakeKms';
import { documentClient, dynamoClient, s3Client, startDynalite, startS3rver, type RunningEmulator } from '../unit/aws/support/emulators';
import { describeKeyringContract, describeObjectStoreContract, describeRunStateContract, describeSecretRecordStoreContract } from './suites';

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
async function dynamoTable<T>(open: (client: ReturnType<typeof documentClient>, tableName: string) => T): Promise<{ store: T; cleanup(): Promise<void> }> {
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

describeRunStateContract('DynamoRunStateStore (dynalite)', () => dynamoTable((client, tableName) => new DynamoRunStateStore({ client, tableName })));

describeSecretRecordStoreContract('DynamoSecretRecordStore (dynalite)', () =>
  dynamoTable((client, tableName) => new DynamoSecretRecordStore({ client, tableName })),
);

// No KMS emulator exists on npm: the SDK mock keeps KMS's rule that a data key opens only under
// its encryption context, so the adapter's request shapes and error mapping are what is tested.
describeKeyringContract('KmsKeyring (SDK mock with context checks)', async () => {
  const mock = fakeKms();
  return { keyring: new KmsKeyring({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'alias/dif-contract' }), cleanup: async () => void mock.restore() };
});
