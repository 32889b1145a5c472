import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CredentialStore } from '../../services/credentials';
import { RedshiftWarehouse } from '../../services/loader/warehouse/redshift/RedshiftWarehouse';
import {
  AwsSettingMissingError,
  DynamoRunStateStore,
  DynamoSecretRecordStore,
  KmsKeyring,
  S3ObjectStore,
  SqsQueue,
  StepFunctionsWorkflow,
} from '../adapters/aws';
import { InProcessLockManager } from '../adapters/local/InProcessLockManager';
import { InProcessRateLimiter } from '../adapters/local/InProcessRateLimiter';
import { createRedisLimiting } from '../adapters/redis';
import { loadConfig } from '../config';
import { logger } from '../log';
import type { Ports, QueueName, Warehouse } from '../ports';
import { redactRunStateWrites } from '../runState/redactRunStateWrites';
import type { ServiceContext } from './ServiceContext';

/** What the aws profile needs to know, read from the environment serverless.yml sets. */
export interface AwsSettings {
  region?: string;
  stage: string;
  configDir: string;
  bucket: string;
  kmsKeyId: string;
  tableName: string;
  queues: Record<QueueName, { url: string; deadLetterUrl: string }>;
  /** The queues' redrive maxReceiveCount (serverless.yml); the consumer's "last receive". */
  maxReceiveCount: number;
  stateMachineArn?: string;
  /** Comma-separated Redis URLs (ElastiCache); without one, limits are per Lambda instance. */
  redisUrls: string[];
  redshift?: {
    workgroupName?: string;
    clusterIdentifier?: string;
    database: string;
    secretArn?: string;
    dbUser?: string;
    copyRoleArn: string;
  };
  /** Path-style S3 URLs, for S3 emulators (s3rver) in tests. */
  s3ForcePathStyle: boolean;
}

type Env = Record<string, string | undefined>;

function required(env: Env, name: string, purpose: string): string {
  const value = env[name];
  if (!value) throw new AwsSettingMissingError(name, purpose);
  return value;
}

/**
 * Reads the aws profile's settings from environment variables (names in docs/deploying.md).
 * Throws {@link AwsSettingMissingError} naming the first missing variable.
 *
 * @example
 * const settings = readAwsSettings(process.env); // DIF_BUCKET, DIF_TABLE, DIF_KMS_KEY_ID, …
 */
export function readAwsSettings(env: Env = process.env): AwsSettings {
  const redshiftDatabase = env.DIF_REDSHIFT_DATABASE;
  return {
    region: env.AWS_REGION,
    stage: env.DIF_STAGE ?? 'dev',
    configDir: env.DIF_CONFIG_DIR ?? env.LAMBDA_TASK_ROOT ?? process.cwd(),
    bucket: required(env, 'DIF_BUCKET', 'the data-lake bucket'),
    kmsKeyId: required(env, 'DIF_KMS_KEY_ID', 'the KMS key credentials are encrypted under'),
    tableName: required(env, 'DIF_TABLE', 'the run-state DynamoDB table'),
    queues: {
      transform: {
        url: required(env, 'DIF_TRANSFORM_QUEUE_URL', 'the transform queue'),
        deadLetterUrl: required(env, 'DIF_TRANSFORM_DLQ_URL', "the transform queue's dead-letter queue"),
      },
      load: {
        url: required(env, 'DIF_LOAD_QUEUE_URL', 'the load queue'),
        deadLetterUrl: required(env, 'DIF_LOAD_DLQ_URL', "the load queue's dead-letter queue"),
      },
    },
    maxReceiveCount: Number(env.DIF_MAX_RECEIVE_COUNT ?? 5),
    stateMachineArn: env.DIF_STATE_MACHINE_ARN || undefined,
    redisUrls: (env.REDIS_URL ?? '')
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean),
    redshift: redshiftDatabase
      ? {
          workgroupName: env.DIF_REDSHIFT_WORKGROUP || undefined,
          clusterIdentifier: env.DIF_REDSHIFT_CLUSTER || undefined,
          database: redshiftDatabase,
          secretArn: env.DIF_REDSHIFT_SECRET_ARN || undefined,
          dbUser: env.DIF_REDSHIFT_DB_USER || undefined,
          copyRoleArn: required(env, 'DIF_REDSHIFT_COPY_ROLE_ARN', 'the IAM role Redshift assumes to COPY from S3'),
        }
      : undefined,
    s3ForcePathStyle: env.DIF_S3_FORCE_PATH_STYLE === 'true',
  };
}

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

/**
 * The ServiceContext of the aws profile: configuration bundled with the function, ports on AWS,
 * credentials from the encrypted store. Build once per Lambda instance and reuse.
 *
 * @example
 * const ctx = await createAwsContext(); // in a Lambda entry, cached across invocations
 * await plan(ctx, event);
 */
export async function createAwsContext(
  env: Env = process.env,
  settings: AwsSettings = readAwsSettings(env),
): Promise<ServiceContext> {
  const config = loadConfig(settings.configDir);
  const ports = openAwsPorts(settings);
  return { config, ports, secrets: CredentialStore.fromPorts(ports), now: () => new Date() };
}
