import { AwsSettingMissingError } from '../../shared/adapters/aws/errors';
import type { QueueName } from '../../shared/ports';
import { mapConcurrency } from '../../shared/runtime/mapConcurrency';
import type { RunSettings } from '../../shared/runtime/RunSettings';

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
  /** How runs fan out: the Map's concurrency and the Fargate subnets (`DIF_MAP_CONCURRENCY`, `DIF_ECS_SUBNETS`). */
  run: RunSettings;
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

export type Env = Record<string, string | undefined>;

/** The redrive setting serverless.yml deploys when `DIF_MAX_RECEIVE_COUNT` is not set. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** A comma-separated list, blanks left out. */
function listOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

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
    maxReceiveCount: Number(env.DIF_MAX_RECEIVE_COUNT ?? DEFAULT_MAX_RECEIVE_COUNT),
    run: { mapConcurrency: mapConcurrency(env), ecsSubnets: listOf(env.DIF_ECS_SUBNETS) },
    stateMachineArn: env.DIF_STATE_MACHINE_ARN || undefined,
    redisUrls: listOf(env.REDIS_URL),
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
