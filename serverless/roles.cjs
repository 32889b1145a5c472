// One IAM role per function (and for the ECS extractor task), each with only the actions and
// resources that function uses. Least privilege is asserted by test/deploy/template.test.ts.
// serverless.yml: resources: - ${file(serverless/roles.cjs):resources}
/* global module */
'use strict';

const sub = (text) => ({ 'Fn::Sub': text });
const arn = (logicalId) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

const STATE_MACHINE_ARN = sub(
  'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${AWS::StackName}-ingest',
);
const table = () => [arn('RunStateTable'), sub('${RunStateTable.Arn}/index/*')];
const objects = (...prefixes) => prefixes.map((prefix) => sub(`\${LakeBucket.Arn}/${prefix}*`));

/** Statement builders, one per kind of access. */
const allow = {
  runState: (...actions) => ({ Effect: 'Allow', Action: actions.map((a) => `dynamodb:${a}`), Resource: table() }),
  read: (...prefixes) => ({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: objects(...prefixes) }),
  write: (...prefixes) => ({
    Effect: 'Allow',
    Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    Resource: objects(...prefixes),
  }),
  list: (...prefixes) => ({
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: arn('LakeBucket'),
    Condition: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
  }),
  // SSE-KMS objects need GenerateDataKey to write and Decrypt to read (and to finish multipart uploads).
  key: (...actions) => ({ Effect: 'Allow', Action: actions.map((a) => `kms:${a}`), Resource: arn('LakeKey') }),
  send: (queue) => ({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn(queue) }),
  consume: (queue) => ({
    Effect: 'Allow',
    Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
    Resource: arn(queue),
  }),
  callback: (...actions) => ({
    Effect: 'Allow',
    Action: actions.map((a) => `states:${a}`),
    Resource: STATE_MACHINE_ARN,
  }),
};

/** What each function may do, beyond writing its own logs. */
const FUNCTIONS = {
  // Plan decrypts credentials (and stores rotated OAuth tokens) to discover partitions (partition.from_stream).
  plan: [allow.runState('GetItem', 'PutItem', 'UpdateItem', 'Query'), allow.key('Decrypt', 'GenerateDataKey')],
  startJob: [allow.runState('GetItem', 'PutItem', 'UpdateItem'), allow.key('Decrypt', 'GenerateDataKey')],
  pollJob: [allow.runState('GetItem', 'PutItem', 'UpdateItem'), allow.key('Decrypt', 'GenerateDataKey')],
  extract: [
    allow.runState('GetItem', 'PutItem', 'UpdateItem', 'Query'),
    allow.write('raw/'),
    allow.read('raw/'),
    allow.list('raw/'),
    allow.key('Decrypt', 'GenerateDataKey'),
    allow.send('TransformQueue'),
    allow.callback('SendTaskHeartbeat', 'SendTaskFailure'),
  ],
  transform: [
    allow.runState('GetItem', 'UpdateItem'),
    allow.read('raw/', 'clean/'),
    allow.write('clean/', 'quarantine/'),
    allow.list('raw/', 'clean/', 'quarantine/'),
    allow.key('Decrypt', 'GenerateDataKey'),
    allow.consume('TransformQueue'),
    allow.send('LoadQueue'),
    allow.callback('SendTaskHeartbeat', 'SendTaskFailure'),
  ],
  load: [
    allow.runState('GetItem', 'PutItem', 'UpdateItem', 'Query'),
    allow.read('clean/'),
    allow.list('clean/'),
    allow.key('Decrypt'),
    allow.consume('LoadQueue'),
    allow.callback('SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'),
  ],
  finalize: [allow.runState('GetItem', 'PutItem', 'UpdateItem', 'Query')],
};

/** The Redshift Data API statements the loader needs, when a Redshift target is configured. */
function redshiftStatements(params) {
  if (!params.redshiftDatabase) return [];
  const target = params.redshiftWorkgroupName
    ? sub(
        `arn:\${AWS::Partition}:redshift-serverless:\${AWS::Region}:\${AWS::AccountId}:workgroup/${params.redshiftWorkgroupId || '*'}`,
      )
    : sub(`arn:\${AWS::Partition}:redshift:\${AWS::Region}:\${AWS::AccountId}:cluster:${params.redshiftClusterId}`);
  const statements = [
    {
      Effect: 'Allow',
      Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      Resource: target,
    },
    {
      // These calls name a statement id, not a cluster; AWS scopes them to statements this role ran.
      Effect: 'Allow',
      Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
      Resource: '*',
      Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
    },
  ];
  if (params.redshiftSecretArn)
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: params.redshiftSecretArn });
  else if (params.redshiftWorkgroupName)
    statements.push({ Effect: 'Allow', Action: ['redshift-serverless:GetCredentials'], Resource: target });
  else
    statements.push({
      Effect: 'Allow',
      Action: ['redshift:GetClusterCredentialsWithIAM'],
      Resource: sub(
        `arn:\${AWS::Partition}:redshift:\${AWS::Region}:\${AWS::AccountId}:dbname:${params.redshiftClusterId}/${params.redshiftDatabase}`,
      ),
    });
  return statements;
}

// Lambda needs these to attach to a VPC (ElastiCache Redis); EC2 does not scope them to resources.
const VPC_ACCESS = {
  Effect: 'Allow',
  Action: [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ],
  Resource: '*',
};

// Active tracing (provider.tracing.lambda): Lambda checks the role may send segments; X-Ray has
// no resource-level permissions for these two actions.
const XRAY = { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' };

function logicalName(name) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function role(principal, statements, logGroupArn, name) {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: `DIF ${name}: least-privilege role (serverless/roles.cjs)`,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: principal }, Action: 'sts:AssumeRole' }],
      },
      Policies: [
        {
          PolicyName: name,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: logGroupArn },
              ...statements,
            ],
          },
        },
      ],
    },
  };
}

async function resources({ resolveVariable }) {
  const param = async (name) => String((await resolveVariable(`param:${name}`)) ?? '');
  const params = {};
  for (const name of [
    'redshiftDatabase',
    'redshiftWorkgroupName',
    'redshiftWorkgroupId',
    'redshiftClusterId',
    'redshiftSecretArn',
    'subnetIds',
  ])
    params[name] = await param(name);
  const inVpc = params.subnetIds !== '';
  const Resources = {};
  for (const [name, statements] of Object.entries(FUNCTIONS)) {
    const extra = [XRAY, ...(name === 'load' ? redshiftStatements(params) : []), ...(inVpc ? [VPC_ACCESS] : [])];
    const logGroup = sub(
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/\${AWS::StackName}-${name}:*`,
    );
    Resources[`${logicalName(name)}Role`] = role('lambda.amazonaws.com', [...statements, ...extra], logGroup, name);
  }
  // The Fargate extractor does what the extract function does (no VPC statement: ECS attaches the ENI).
  Resources.ExtractTaskRole = role(
    'ecs-tasks.amazonaws.com',
    FUNCTIONS.extract,
    sub('${ExtractTaskLogGroup.Arn}'),
    'extract-task',
  );
  return { Resources };
}

module.exports = { resources, FUNCTIONS };
