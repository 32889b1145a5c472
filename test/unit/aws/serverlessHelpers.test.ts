import { createRequire } from 'node:module';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Resolver = { resolveVariable: (name: string) => Promise<unknown> };
const roles = require('../../../serverless/roles.cjs') as {
  resources: (options: Resolver) => Promise<{
    Resources: Record<
      string,
      { Properties: { Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } }[] } }
    >;
  }>;
};
const vpc = require('../../../serverless/vpc.cjs') as { vpc: (options: Resolver) => Promise<unknown> };
const clients = require('../../../serverless/clients.cjs') as {
  readClients: (root: string) => unknown[];
  durationSeconds: (text: string, where: string) => number;
};

function params(values: Record<string, string>): Resolver {
  return { resolveVariable: async (name) => values[name.replace(/^param:/, '')] ?? '' };
}

function actionsOf(resources: Awaited<ReturnType<typeof roles.resources>>, role: string): string[] {
  return resources.Resources[role]!.Properties.Policies.flatMap((policy) =>
    policy.PolicyDocument.Statement.flatMap((statement) => statement.Action),
  );
}

describe('serverless/roles.cjs', () => {
  it('gives the loader Redshift Data API access only when a Redshift target is set', async () => {
    const without = await roles.resources(params({}));
    expect(actionsOf(without, 'LoadRole').some((action) => action.startsWith('redshift'))).toBe(false);
    const serverless = await roles.resources(
      params({ redshiftDatabase: 'analytics', redshiftWorkgroupName: 'dif', redshiftWorkgroupId: 'wg-1' }),
    );
    expect(actionsOf(serverless, 'LoadRole')).toEqual(
      expect.arrayContaining([
        'redshift-data:ExecuteStatement',
        'redshift-data:BatchExecuteStatement',
        'redshift-serverless:GetCredentials',
      ]),
    );
    expect(actionsOf(serverless, 'ExtractRole').some((action) => action.startsWith('redshift'))).toBe(false);
    const withSecret = await roles.resources(
      params({
        redshiftDatabase: 'analytics',
        redshiftClusterId: 'c1',
        redshiftSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
      }),
    );
    expect(actionsOf(withSecret, 'LoadRole')).toContain('secretsmanager:GetSecretValue');
    expect(actionsOf(withSecret, 'LoadRole')).not.toContain('redshift:GetClusterCredentialsWithIAM');
  });

  it('adds network-interface actions only for functions in a VPC', async () => {
    expect(actionsOf(await roles.resources(params({})), 'TransformRole')).not.toContain('ec2:CreateNetworkInterface');
    expect(actionsOf(await roles.resources(params({ subnetIds: 'subnet-1' })), 'TransformRole')).toContain(
      'ec2:CreateNetworkInterface',
    );
  });

  it('lets only the loader complete task tokens with success', async () => {
    const resources = await roles.resources(params({}));
    for (const role of Object.keys(resources.Resources)) {
      expect(actionsOf(resources, role).includes('states:SendTaskSuccess'), role).toBe(role === 'LoadRole');
    }
  });
});

describe('serverless/vpc.cjs', () => {
  it('deploys outside a VPC without settings, inside with both, and refuses half a setting', async () => {
    expect(await vpc.vpc(params({}))).toBeNull();
    expect(await vpc.vpc(params({ subnetIds: 'subnet-a, subnet-b', securityGroupIds: 'sg-1' }))).toEqual({
      subnetIds: ['subnet-a', 'subnet-b'],
      securityGroupIds: ['sg-1'],
    });
    await expect(vpc.vpc(params({ subnetIds: 'subnet-a' }))).rejects.toThrow(/both subnetIds and securityGroupIds/);
  });
});

describe('serverless/clients.cjs', () => {
  it('names the file of a client without a valid name', () => {
    const root = mkdtempSync(join(tmpdir(), 'dif-clients-'));
    mkdirSync(join(root, 'clients'));
    writeFileSync(join(root, 'clients', 'bad.yml'), 'client: "bad name"\n');
    expect(() => clients.readClients(root)).toThrow(/clients\/bad\.yml: "client" must be a name/);
    rmSync(root, { recursive: true, force: true });
    expect(() => clients.durationSeconds('soon', 'clients/x.yml')).toThrow(/clients\/x\.yml: sla.fresh_within "soon"/);
  });
});
