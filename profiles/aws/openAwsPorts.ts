import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RedshiftWarehouse } from '../../services/loader/warehouse/redshift/RedshiftWarehouse';
import {
  AwsSettingMissingError,
  DynamoRunStateStore,
  DynamoSecretRecordStore,
  KmsKeyring,
  S3ObjectStore,
  SqsQueue,
  StepFunctionsWorkflow,
} from '../../shared/adapters/aws';
import { InProcessLockManager } from '../../shared/adapters/local/InProcessLockManager';
import { InProcessRateLimiter } from '../../shared/adapters/local/InProcessRateLimiter';
import { createRedisLimiting } from '../../shared/adapters/redis';
import { logger } from '../../shared/log';
import type { Ports, QueueName, Warehouse } from '../../shared/ports';
import { redactRunStateWrites } from '../../shared/runState/redactRunStateWrites';
import type { AwsSettings } from './awsSettings';

/**
 * Opens every port on AWS. Endpoints follow the SDK's own variables (`AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL_DYNAMODB`, …), which is how tests point the profile at emulators.
 */
export function openAwsPorts(settings: AwsSettings): Ports {
  const region = settings.region;
  const s3 = new S3Client({ region, forcePathStyle: settings.s3ForcePathStyle });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const sqs = new SQSClient({ region });
  const objectStore = new S3ObjectStore({ client: s3, bucket: settings.bucket, kmsKeyId: settings.kmsKeyId });
  const queue = (name: QueueName) =>
    new SqsQueue({
      client: sqs,
      name,
      queueUrl: settings.queues[name].url,
      deadLetterQueueUrl: settings.queues[name].deadLetterUrl,
    });
  const limiting =
    settings.redisUrls.length > 0
      ? createRedisLimiting({ urls: settings.redisUrls, keyPrefix: `dif:${settings.stage}:` })
      : localLimiting();
  const warehouse = settings.redshift
    ? openRedshiftWarehouse(settings.redshift, objectStore, region)
    : new UnconfiguredWarehouse();
  const clients = [s3, sqs, dynamo];
  return {
    objectStore,
    queues: { transform: queue('transform'), load: queue('load') },
    runState: redactRunStateWrites(new DynamoRunStateStore({ client: dynamo, tableName: settings.tableName })),
    secretRecords: new DynamoSecretRecordStore({ client: dynamo, tableName: settings.tableName }),
    keyring: new KmsKeyring({ client: new KMSClient({ region }), keyId: settings.kmsKeyId }),
    workflow: new StepFunctionsWorkflow({
      client: new SFNClient({ region }),
      stateMachineArn: settings.stateMachineArn,
    }),
    warehouse,
    rateLimiter: limiting.rateLimiter,
    locks: limiting.locks,
    async close() {
      await Promise.allSettled([warehouse.close(), limiting.rateLimiter.close(), limiting.locks.close()]);
      for (const client of clients) client.destroy();
    },
  };
}

function localLimiting() {
  logger.warn(
    'REDIS_URL is not set: rate limits and locks apply per Lambda instance, not fleet-wide; set the redisUrl parameter',
  );
  return { rateLimiter: new InProcessRateLimiter(), locks: new InProcessLockManager() };
}

function openRedshiftWarehouse(
  redshift: NonNullable<AwsSettings['redshift']>,
  objectStore: S3ObjectStore,
  region: string | undefined,
): Warehouse {
  return new RedshiftWarehouse({
    client: new RedshiftDataClient({ region }),
    workgroupName: redshift.workgroupName,
    clusterIdentifier: redshift.clusterIdentifier,
    database: redshift.database,
    secretArn: redshift.secretArn,
    dbUser: redshift.dbUser,
    copyRoleArn: redshift.copyRoleArn,
    objectStore,
  });
}

/** Stands in for the warehouse in functions deployed without Redshift settings; says what to set. */
class UnconfiguredWarehouse implements Warehouse {
  private fail(): never {
    throw new AwsSettingMissingError(
      'DIF_REDSHIFT_DATABASE',
      'the Redshift database the loader writes to; set the redshift* parameters in serverless.yml',
    );
  }
  async load(): Promise<never> {
    this.fail();
  }
  async query(): Promise<never> {
    this.fail();
  }
  async close(): Promise<void> {}
}
