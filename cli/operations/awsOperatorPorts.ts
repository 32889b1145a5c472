import type { QueueName } from '../../shared/ports';
import { UserError } from '../UserError';
import type { OperatorPorts } from './OperatorPorts';

type Env = Record<string, string | undefined>;

/**
 * The aws profile's openers: run state in the DynamoDB table `DIF_TABLE`, queues and DLQs at
 * `DIF_{TRANSFORM,LOAD}_{QUEUE,DLQ}_URL` (the variables serverless.yml sets, docs/deploying.md).
 * Each command needs only its own variables. Endpoints and credentials follow the AWS SDK's
 * usual environment (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_*`). The AWS SDK loads when a
 * port is opened, so commands on the local profile never pay for it.
 *
 * There is no `--drain` on AWS: the deployed transform and load functions consume their queues,
 * so a redriven message is delivered by them.
 *
 * @example
 * const ports = awsOperatorPorts(process.env);
 * const runState = await ports.openRunState(location);
 */
export function awsOperatorPorts(env: Env = process.env): OperatorPorts {
  return {
    where: () => `DynamoDB table ${env.DIF_TABLE ?? '(DIF_TABLE unset)'}`,

    async openRunState() {
      const tableName = required(env, 'DIF_TABLE', 'the run-state DynamoDB table');
      const [{ DynamoDBClient }, { DynamoDBDocumentClient }, { DynamoRunStateStore }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('@aws-sdk/lib-dynamodb'),
        import('../../shared/adapters/aws/DynamoRunStateStore'),
      ]);
      const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: env.AWS_REGION }), {
        marshallOptions: { removeUndefinedValues: true },
      });
      return Object.assign(new DynamoRunStateStore({ client, tableName }), { close: async () => client.destroy() });
    },

    async openQueues() {
      const urls = (name: QueueName) => ({
        queueUrl: required(env, `DIF_${name.toUpperCase()}_QUEUE_URL`, `the ${name} queue`),
        deadLetterQueueUrl: required(env, `DIF_${name.toUpperCase()}_DLQ_URL`, `the ${name} queue's dead-letter queue`),
      });
      const transform = urls('transform');
      const load = urls('load');
      const [{ SQSClient }, { SqsQueue }] = await Promise.all([
        import('@aws-sdk/client-sqs'),
        import('../../shared/adapters/aws/SqsQueue'),
      ]);
      const client = new SQSClient({ region: env.AWS_REGION });
      return {
        transform: new SqsQueue({ client, name: 'transform', ...transform }),
        load: new SqsQueue({ client, name: 'load', ...load }),
        close: async () => client.destroy(),
      };
    },

    async openStageContext() {
      throw new UserError(
        '--drain runs the stage consumers locally; on the aws profile the deployed transform and load functions consume the queues, so replay without --drain and watch `dif runs show <runId>`',
      );
    },
  };
}

function required(env: Env, name: string, purpose: string): string {
  const value = env[name];
  if (!value)
    throw new UserError(
      `environment variable ${name} is not set (${purpose}); with DIF_PROFILE=aws export the stage's values (docs/deploying.md lists them)`,
    );
  return value;
}
