import type { RecordedCall } from './awsCallRecorder';
import type { Template } from './packagedStack';

/** Where the stack's resources live, for turning the template's intrinsics into ARNs. */
export interface StackEnvironment {
  region: string;
  account: string;
  stackName: string;
  /** Physical ids the emulator gave resources whose names the template does not fix (the KMS key). */
  physical: Record<string, { ref: string; arn: string }>;
}

/** One action on one resource pattern, as granted by one role's statement. */
export interface Grant {
  role: string;
  action: string;
  resource: string;
  condition?: Record<string, Record<string, string | string[]>>;
}

/** One permission an observed call needs. */
export interface Need {
  action: string;
  resource: string;
  /** Condition keys IAM would evaluate for the request (s3:prefix for ListBucket). */
  context?: Record<string, string>;
  /** The call that needs it, for messages: `S3 PutObject raw/acme/…`. */
  call: string;
}

type Intrinsic = Record<string, unknown>;

/** Names and ARNs of the template's resources, as CloudFormation would resolve Ref and Fn::GetAtt. */
export function resourceIndex(template: Template, env: StackEnvironment): Record<string, { ref: string; arn: string }> {
  const index: Record<string, { ref: string; arn: string }> = { ...env.physical };
  const pseudo = (text: string) => resolveString(text, env, {});
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (index[id]) continue;
    const name = (property: string) => pseudo(String(resolve(resource.Properties[property], env, index)));
    switch (resource.Type) {
      case 'AWS::S3::Bucket':
        index[id] = { ref: name('BucketName'), arn: `arn:aws:s3:::${name('BucketName')}` };
        break;
      case 'AWS::SQS::Queue':
        index[id] = {
          ref: `https://sqs.${env.region}.amazonaws.com/${env.account}/${name('QueueName')}`,
          arn: `arn:aws:sqs:${env.region}:${env.account}:${name('QueueName')}`,
        };
        break;
      case 'AWS::DynamoDB::Table':
        index[id] = {
          ref: name('TableName'),
          arn: `arn:aws:dynamodb:${env.region}:${env.account}:table/${name('TableName')}`,
        };
        break;
      case 'AWS::Logs::LogGroup':
        index[id] = {
          ref: name('LogGroupName'),
          arn: `arn:aws:logs:${env.region}:${env.account}:log-group:${name('LogGroupName')}:*`,
        };
        break;
      default:
        index[id] = { ref: id, arn: `arn:aws:cloudformation:${env.region}:${env.account}:resource/${id}` };
    }
  }
  return index;
}

function resolveString(
  text: string,
  env: StackEnvironment,
  index: Record<string, { ref: string; arn: string }>,
): string {
  return text.replace(/\$\{([A-Za-z0-9:]+)(?:\.([A-Za-z]+))?\}/g, (whole, name: string, attribute?: string) => {
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::Region') return env.region;
    if (name === 'AWS::AccountId') return env.account;
    if (name === 'AWS::StackName') return env.stackName;
    const resource = index[name];
    if (!resource) return whole;
    return attribute === 'Arn' ? resource.arn : resource.ref;
  });
}

/** Resolves Ref, Fn::GetAtt (Arn) and Fn::Sub in a policy value. */
export function resolve(
  value: unknown,
  env: StackEnvironment,
  index: Record<string, { ref: string; arn: string }>,
): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((entry) => resolve(entry, env, index));
  if (value && typeof value === 'object') {
    const node = value as Intrinsic;
    if ('Ref' in node) return index[String(node.Ref)]?.ref ?? String(node.Ref);
    if ('Fn::GetAtt' in node) {
      const [id] = node['Fn::GetAtt'] as [string, string];
      return index[id]?.arn ?? id;
    }
    if ('Fn::Sub' in node) {
      const sub = node['Fn::Sub'];
      return resolveString(Array.isArray(sub) ? String(sub[0]) : String(sub), env, index);
    }
  }
  return value;
}

/** Every (action, resource) an IAM role's inline policies allow, with intrinsics resolved. */
export function grantsOf(
  template: Template,
  role: string,
  env: StackEnvironment,
  index: Record<string, { ref: string; arn: string }>,
): Grant[] {
  const resource = template.Resources[role];
  if (resource?.Type !== 'AWS::IAM::Role') throw new Error(`${role} is not an IAM role of the template`);
  const policies = (resource.Properties.Policies ?? []) as { PolicyDocument: { Statement: Intrinsic[] } }[];
  const grants: Grant[] = [];
  for (const statement of policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
    if (statement.Effect !== 'Allow') continue;
    const actions = [statement.Action].flat() as string[];
    const resources = [resolve(statement.Resource, env, index)].flat() as string[];
    for (const action of actions)
      for (const pattern of resources)
        grants.push({ role, action, resource: pattern, condition: statement.Condition as Grant['condition'] });
  }
  return grants;
}

function glob(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Whether `grant` allows `need` (action and resource globs; StringLike/StringEquals conditions). */
export function allows(grant: Grant, need: Need): boolean {
  if (!glob(grant.action.toLowerCase()).test(need.action.toLowerCase())) return false;
  if (!glob(grant.resource).test(need.resource)) return false;
  for (const [operator, keys] of Object.entries(grant.condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = need.context?.[key];
      if (actual === undefined) return false;
      const values = [expected].flat();
      if (operator === 'StringLike' && !values.some((value) => glob(value).test(actual))) return false;
      else if (operator === 'StringEquals' && !values.includes(actual)) return false;
      else if (operator !== 'StringLike' && operator !== 'StringEquals') return false;
    }
  }
  return true;
}

const S3_WRITES = new Set(['PutObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload']);
const SQS_BATCH: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};
const TRANSACT: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/**
 * The IAM permissions one recorded SDK call needs, with the resource ARN it acts on. Includes what
 * a service does with the caller's permissions on its behalf: S3 asks KMS for a data key to write
 * an SSE-KMS object (kms:GenerateDataKey) and to read one or complete a multipart upload
 * (kms:Decrypt), so the role must grant those on the bucket's key.
 */
export function needsOf(call: RecordedCall, env: StackEnvironment, keyArn: string): Need[] {
  const input = call.input;
  const what = (resource: string) => `${call.client.replace(/Client$/, '')} ${call.operation} ${resource}`;
  switch (call.client) {
    case 'S3Client': {
      const bucket = String(input.Bucket);
      const object = `arn:aws:s3:::${bucket}/${String(input.Key ?? '')}`;
      const call_ = what(String(input.Key ?? input.Prefix ?? bucket));
      if (S3_WRITES.has(call.operation)) {
        const needs: Need[] = [
          { action: 's3:PutObject', resource: object, call: call_ },
          { action: 'kms:GenerateDataKey', resource: keyArn, call: call_ },
        ];
        if (call.operation !== 'PutObject') needs.push({ action: 'kms:Decrypt', resource: keyArn, call: call_ });
        return needs;
      }
      if (call.operation === 'GetObject')
        return [
          { action: 's3:GetObject', resource: object, call: call_ },
          { action: 'kms:Decrypt', resource: keyArn, call: call_ },
        ];
      if (call.operation === 'HeadObject') return [{ action: 's3:GetObject', resource: object, call: call_ }];
      if (call.operation === 'ListObjectsV2' || call.operation === 'ListObjects')
        return [
          {
            action: 's3:ListBucket',
            resource: `arn:aws:s3:::${bucket}`,
            context: { 's3:prefix': String(input.Prefix ?? '') },
            call: call_,
          },
        ];
      if (call.operation === 'DeleteObject') return [{ action: 's3:DeleteObject', resource: object, call: call_ }];
      if (call.operation === 'AbortMultipartUpload')
        return [{ action: 's3:AbortMultipartUpload', resource: object, call: call_ }];
      if (call.operation === 'ListParts')
        return [{ action: 's3:ListMultipartUploadParts', resource: object, call: call_ }];
      return [{ action: `s3:${call.operation}`, resource: object, call: call_ }];
    }
    case 'SQSClient': {
      const [, account, name] = new URL(String(input.QueueUrl)).pathname.split('/');
      const arn = `arn:aws:sqs:${env.region}:${account}:${name}`;
      return [{ action: `sqs:${SQS_BATCH[call.operation] ?? call.operation}`, resource: arn, call: what(name ?? '') }];
    }
    case 'DynamoDBClient': {
      const table = (name: unknown, indexName?: unknown) =>
        `arn:aws:dynamodb:${env.region}:${env.account}:table/${String(name)}${indexName ? `/index/${String(indexName)}` : ''}`;
      if (call.operation === 'TransactWriteItems') {
        return (input.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
          Object.entries(item).map(([kind, detail]) => ({
            action: `dynamodb:${TRANSACT[kind] ?? kind}`,
            resource: table(detail.TableName),
            call: what(`${kind} ${detail.TableName}`),
          })),
        );
      }
      if (call.operation === 'BatchGetItem' || call.operation === 'BatchWriteItem')
        return Object.keys(input.RequestItems as object).map((name) => ({
          action: `dynamodb:${call.operation}`,
          resource: table(name),
          call: what(name),
        }));
      return [
        {
          action: `dynamodb:${call.operation}`,
          resource: table(input.TableName, input.IndexName),
          call: what(`${String(input.TableName)}${input.IndexName ? `/${String(input.IndexName)}` : ''}`),
        },
      ];
    }
    case 'KMSClient':
      return [{ action: `kms:${call.operation}`, resource: keyArn, call: what(String(input.KeyId ?? 'key')) }];
    case 'SFNClient':
      if (call.operation === 'StartExecution')
        return [
          {
            action: 'states:StartExecution',
            resource: String(input.stateMachineArn),
            call: what(String(input.stateMachineArn)),
          },
        ];
      // The callbacks name a task token, not a resource: IAM evaluates them against "*".
      return [{ action: `states:${call.operation}`, resource: '*', call: what('task token') }];
    default:
      return [{ action: `${call.client}:${call.operation}`, resource: '*', call: what('?') }];
  }
}
