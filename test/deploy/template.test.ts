import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaEntries } from '../../serverless/functions.mjs';
import { packagedStack, root, type Json, type Resource, type Template } from './support/packagedStack';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
// asl-validator ships no type declarations.
const validator = require('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

/** cfn-lint on PATH; required in CI (CI=true), optional on a workstation. */
const cfnLint = findOnPath('cfn-lint');
if (!cfnLint && process.env.CI === 'true')
  throw new Error('cfn-lint is not installed but CI=true requires it: pip install cfn-lint');

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Every IAM policy statement anywhere in the template (roles and resource policies), with its owner. */
function statementsOf(template: Template): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  const visit = (owner: string, node: unknown): void => {
    if (Array.isArray(node)) node.forEach((entry) => visit(owner, entry));
    else if (node && typeof node === 'object') {
      const record = node as Json;
      if (Array.isArray(record.Statement))
        for (const statement of record.Statement as Statement[]) found.push({ owner, statement });
      Object.values(record).forEach((value) => visit(owner, value));
    }
  };
  for (const [name, resource] of Object.entries(template.Resources)) visit(name, resource.Properties);
  return found;
}

const actions = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The state machine's ASL with its Fn::Sub variables replaced by example ARNs. */
function deployedDefinition(resource: Resource): unknown {
  const definition = resource.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] } | string;
  const text = typeof definition === 'string' ? definition : definition['Fn::Sub'][0];
  const substituted = text.replace(
    /\$\{([A-Za-z0-9]+)\}/g,
    (_, name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:example-${name}`,
  );
  return JSON.parse(substituted);
}

describe('packaged CloudFormation template (npm run package)', () => {
  let template: Template;
  let templateFile: string;

  beforeAll(async () => {
    ({ template, templateFile } = await packagedStack());
  }, 300_000);

  // cfn-lint (pip) catches what CloudFormation would refuse at deploy time (E3031 on role
  // descriptions was one); .cfnlintrc lists each ignored warning with its reason.
  it.skipIf(!cfnLint)(
    `passes cfn-lint with no errors and no unlisted warnings${cfnLint ? '' : ' (skipped: cfn-lint not installed; pip install cfn-lint)'}`,
    async () => {
      const result = await run(cfnLint!, ['--config-file', join(root, '.cfnlintrc'), '--', templateFile], {
        cwd: root,
      }).then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? -1,
          output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        }),
      );
      expect(result.output.trim()).toBe('');
      expect(result.code).toBe(0);
    },
    120_000,
  );

  it('declares one function per Lambda entry point, each with its own role', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    expect(functions).toHaveLength(lambdaEntries.length);
    const roles = functions.map(([, fn]) => JSON.stringify(fn.Properties.Role));
    expect(new Set(roles).size).toBe(functions.length);
    for (const [name, fn] of functions) {
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      expect(template.Resources[roleId]?.Type, `${name} role`).toBe('AWS::IAM::Role');
      expect(roleId).toBe(name.replace(/LambdaFunction$/, 'Role'));
    }
    // No shared default role from the framework.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('runs the transformer with the heap options bench:transform measures, and every function with source maps', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const optionsOf = (fn: Resource) =>
      ((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.NODE_OPTIONS as string).split(
        ' ',
      );
    for (const [name, fn] of functions) expect(optionsOf(fn), name).toContain('--enable-source-maps');
    const [, transform] = functions.find(([name]) => name === 'TransformLambdaFunction')!;
    expect(optionsOf(transform)).toEqual(
      expect.arrayContaining(['--max-old-space-size=1536', '--max-semi-space-size=16']),
    );
    expect(transform.Properties.MemorySize).toBe(3008);
  });

  it('describes every IAM role only with characters IAM accepts (CloudFormation refuses the stack otherwise)', () => {
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(5);
    for (const [name, role] of roles) {
      const description = role.Properties.Description;
      if (description !== undefined) expect(description, name).toMatch(/^[\t\n\r\x20-\x7E\xA1-\xFF]*$/);
    }
  });

  it('grants the task-token callbacks on "*", the only resource IAM accepts for them', () => {
    const callbacks = statementsOf(template).filter(({ statement }) =>
      actions(statement).some((action) => action.startsWith('states:SendTask')),
    );
    expect([...new Set(callbacks.map(({ owner }) => owner))].sort()).toEqual(
      ['ExtractRole', 'ExtractTaskRole', 'LoadRole', 'TransformRole'].sort(),
    );
    for (const { owner, statement } of callbacks) expect(statement.Resource, owner).toBe('*');
  });

  it('grants no wildcard actions anywhere, and only ec2/ecr/logs/xray/redshift-data reads and task callbacks on "*" resources', () => {
    const statements = statementsOf(template);
    expect(statements.length).toBeGreaterThan(20);
    for (const { owner, statement } of statements) {
      for (const action of actions(statement)) {
        expect(action, `${owner}: ${action}`).not.toBe('*');
        // `kms:*` is allowed only in the key policy's account-root statement (AWS's default);
        // service wildcards in Deny statements (the framework's TLS-only bucket policy) only narrow.
        if (action.endsWith(':*') && statement.Effect === 'Allow') expect(`${owner}:${action}`).toBe('LakeKey:kms:*');
      }
      if (statement.Effect === 'Allow' && statement.Resource === '*' && owner !== 'LakeKey') {
        for (const action of actions(statement)) {
          expect(action, `${owner} allows ${action} on every resource`).toMatch(
            /^(ec2:\w+NetworkInterfaces?|ec2:\w+PrivateIpAddresses|ecr:GetAuthorizationToken|logs:\w+|xray:\w+|redshift-data:(DescribeStatement|GetStatementResult|CancelStatement)|states:SendTask(Success|Failure|Heartbeat))$/,
          );
        }
      }
    }
  });

  it('gives every stage queue a dead-letter queue with a redrive policy of 5 receives', () => {
    const queues = resourcesOf(template, 'AWS::SQS::Queue');
    const deadLetterTargets = new Set<string>();
    const stageQueues = queues.filter(([, queue]) => queue.Properties.RedrivePolicy);
    for (const [, queue] of stageQueues) {
      const policy = queue.Properties.RedrivePolicy as {
        deadLetterTargetArn: { 'Fn::GetAtt': [string, string] };
        maxReceiveCount: number;
      };
      expect(policy.maxReceiveCount).toBe(5);
      deadLetterTargets.add(policy.deadLetterTargetArn['Fn::GetAtt'][0]);
    }
    expect(stageQueues.map(([name]) => name).sort()).toEqual(['LoadQueue', 'TransformQueue']);
    // Every queue is either a stage queue or the DLQ of one.
    for (const [name] of queues)
      expect(stageQueues.some(([stage]) => stage === name) || deadLetterTargets.has(name), name).toBe(true);
    for (const [name, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      expect(mapping.Properties.FunctionResponseTypes, name).toEqual(['ReportBatchItemFailures']);
      expect(
        (mapping.Properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency,
        name,
      ).toBeGreaterThanOrEqual(2);
    }
  });

  it('encrypts the bucket with the stack key and blocks public access', () => {
    const [[, bucket]] = resourcesOf(template, 'AWS::S3::Bucket').filter(([name]) => name === 'LakeBucket') as [
      [string, Resource],
    ];
    const encryption = (
      bucket.Properties.BucketEncryption as {
        ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: Json }[];
      }
    ).ServerSideEncryptionConfiguration[0]!;
    expect(encryption.ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const rules = (
      bucket.Properties.LifecycleConfiguration as { Rules: { Prefix?: string; ExpirationInDays?: number }[] }
    ).Rules;
    expect(rules.find((rule) => rule.Prefix === 'raw/')?.ExpirationInDays).toBe(7);
    const table = template.Resources.RunStateTable!;
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('deploys statemachines/ingest.asl.yml as a valid state machine bound to this stack', () => {
    const machine = template.Resources.IngestStateMachine!;
    const definition = deployedDefinition(machine);
    const { isValid, errorsText } = validator(definition);
    expect(isValid, errorsText('\n')).toBe(true);
    const source = parse(readFileSync(join(root, 'statemachines/ingest.asl.yml'), 'utf8')) as { States: Json };
    expect(Object.keys((definition as { States: Json }).States)).toEqual(Object.keys(source.States));
    const variables = (machine.Properties.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] })[
      'Fn::Sub'
    ][1];
    expect(Object.values(variables).map((value) => JSON.stringify(value))).toEqual(
      expect.arrayContaining([
        JSON.stringify({ 'Fn::GetAtt': ['PlanLambdaFunction', 'Arn'] }),
        JSON.stringify({ 'Fn::GetAtt': ['FinalizeLambdaFunction', 'Arn'] }),
      ]),
    );
  });

  it('schedules one execution per client that has a schedule in clients/*.yml', () => {
    const { readClients } = require(join(root, 'serverless/clients.cjs')) as {
      readClients: (dir: string) => { client: string; schedule?: string }[];
    };
    const scheduled = readClients(root).filter((client) => client.schedule);
    expect(scheduled.length).toBeGreaterThan(0);
    const rules = resourcesOf(template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(scheduled.length);
    for (const client of scheduled) {
      const rule = rules.find(
        ([, candidate]) =>
          candidate.Properties.ScheduleExpression === client.schedule &&
          JSON.stringify(candidate.Properties.Targets).includes(`\\"client\\":\\"${client.client}\\"`),
      );
      expect(rule, `schedule for ${client.client}`).toBeDefined();
    }
  });

  it('alarms on dead letters, failed executions and per-client freshness', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([name]) => name);
    expect(alarms).toEqual(
      expect.arrayContaining([
        'TransformDeadLetterAlarm',
        'LoadDeadLetterAlarm',
        'FailedExecutionsAlarm',
        'FreshnessAlarmAcme',
      ]),
    );
    expect(template.Resources.ExtractTaskDefinition?.Type).toBe('AWS::ECS::TaskDefinition');
  });
});
