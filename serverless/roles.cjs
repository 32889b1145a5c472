// One IAM role per function (and for the ECS extractor task), each with only the actions and
// resources that function uses, as observed by test/deploy/awsEndToEnd.test.ts (see FUNCTIONS).
// serverless.yml: resources: - ${file(serverless/roles.cjs):resources}
/* global module */
'use strict';

const sub = (text) => ({ 'Fn::Sub': text });
const arn = (logicalId) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

// Item reads and writes name the table; no function queries the GSI (only the `dif runs` CLI does).
const table = () => arn('RunStateTable');
const objects = (...prefixes) => prefixes.map((prefix) => sub(`\${LakeBucket.Arn}/${prefix}*`));

/** Statement builders, one per kind of access. */
const allow = {
  runState: (...actions) => ({ Effect: 'Allow', Action: actions.map((a) => `dynamodb:${a}`), Resource: table() }),
  read: (...prefixes) => ({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: objects(...prefixes) }),
  // lib-storage uploads big bodies in parts (covered by s3:PutObject) and aborts a failed upload.
  write: (...prefixes) => ({
    Effect: 'Allow',
    Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
    Resource: objects(...prefixes),
  }),
  // SSE-KMS objects need GenerateDataKey to write and Decrypt to read (and to finish multipart uploads).
  key: (...actions) => ({ Effect: 'Allow', Action: actions.map((a) => `kms:${a}`), Resource: arn('LakeKey') }),
  send: (queue) => ({ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: arn(queue) }),
  // The SQS event source mapping polls and deletes with the function's role; the function itself
  // shortens a retry's wait with ChangeMessageVisibility.
  consume: (queue) => ({
    Effect: 'Allow',
    Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
    Resource: arn(queue),
  }),
  // SendTaskSuccess/Failure/Heartbeat name a task token, not a state machine: IAM supports no
  // resource-level permissions for them, so "*" is the only Resource that grants them (a state
  // machine ARN here denies every callback, and every run ends failed although its data loads).
  // What a caller can reach is bounded by the tokens it is handed.
  callback: (...actions) => ({
    Effect: 'Allow',
    Action: actions.map((a) => `states:${a}`),
    Resource: '*',
  }),
};

/**
 * What each function may do, beyond writing its own logs: the calls it makes, as recorded by the
 * end-to-end run on moto (test/deploy/awsEndToEnd.test.ts), plus the failure-path calls listed
 * with their reasons in test/deploy/unobservedGrants.ts. That test fails on any call not granted
 * here and on any grant here that is neither called nor listed.
 */
const FUNCTIONS = {
  // Plan decrypts credentials (and stores rotated OAuth tokens) to discover partitions (partition.from_stream),
  // and writes the run's work items (runs/{runId}/items.jsonl) for the Distributed Map's ItemReader.
  plan: [
    allow.runState('GetItem', 'PutItem', 'UpdateItem', 'Query'),
    allow.write('runs/'),
    allow.key('Decrypt', 'GenerateDataKey'),
  ],
  startJob: [allow.runState('GetItem', 'PutItem', 'UpdateItem'), allow.key('Decrypt', 'GenerateDataKey')],
  pollJob: [allow.runState('GetItem', 'PutItem', 'UpdateItem'), allow.key('Decrypt', 'GenerateDataKey')],
  extract: [
    allow.runState('GetItem', 'PutItem', 'UpdateItem'),
    allow.write('raw/'),
    allow.key('Decrypt', 'GenerateDataKey'),
    allow.send('TransformQueue'),
    allow.callback('SendTaskHeartbeat'),
  ],
  transform: [
    allow.runState('GetItem', 'UpdateItem'),
    // clean/: the last range of a split item reads the other ranges' manifests, rejects and results.
    allow.read('raw/', 'clean/'),
    allow.write('clean/', 'quarantine/'),
    allow.key('Decrypt', 'GenerateDataKey'),
    allow.consume('TransformQueue'),
    // A raw object over transform.split_bytes goes back to the queue as one message per range.
    allow.send('TransformQueue'),
    allow.send('LoadQueue'),
    // A permanent failure is sent to the DLQ with its cause (SqsQueue.deadLetter), not deleted.
    allow.send('TransformDeadLetterQueue'),
    allow.callback('SendTaskFailure'),
  ],
  // The parts themselves are read by Redshift's COPY, with RedshiftCopyRole (serverless/resources.yml).
  load: [
    allow.runState('GetItem', 'PutItem', 'UpdateItem'),
    allow.consume('LoadQueue'),
    allow.send('LoadDeadLetterQueue'),
    allow.callback('SendTaskSuccess', 'SendTaskFailure'),
  ],
  // The per-item flow's `Item failed` Task: records why an item failed, for Finalize.
  recordFailure: [allow.runState('GetItem', 'UpdateItem')],
  finalize: [allow.runState('GetItem', 'UpdateItem', 'Query')],
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
  // The Fargate extractor does what the extract function does (no VPC statement: ECS attaches the
  // ENI), and fails its own token: a container's exit does not end the waiting task, as a Lambda's error does.
  Resources.ExtractTaskRole = role(
    'ecs-tasks.amazonaws.com',
    [...FUNCTIONS.extract, allow.callback('SendTaskFailure')],
    sub('${ExtractTaskLogGroup.Arn}'),
    'extract-task',
  );
  return { Resources };
}

module.exports = { resources, FUNCTIONS };
