// Lambda VPC settings from the comma-separated `subnetIds` / `securityGroupIds` parameters: needed
// when Redis (ElastiCache) lives in a VPC. Empty parameters deploy the functions outside any VPC.
// serverless.yml: provider.vpc: ${file(serverless/vpc.cjs):vpc}
/* global module */
'use strict';

const list = (text) =>
  String(text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

async function vpc({ resolveVariable }) {
  const subnetIds = list(await resolveVariable('param:subnetIds'));
  const securityGroupIds = list(await resolveVariable('param:securityGroupIds'));
  if (subnetIds.length === 0 && securityGroupIds.length === 0) return null;
  if (subnetIds.length === 0 || securityGroupIds.length === 0) {
    throw new Error(
      'serverless.yml params: set both subnetIds and securityGroupIds (comma-separated) to run the functions in a VPC, or neither',
    );
  }
  return { subnetIds, securityGroupIds };
}

/** Fargate networking for the extractor task (awsvpc mode needs subnets even without Redis). */
async function taskSubnets({ resolveVariable }) {
  return list(await resolveVariable('param:subnetIds'));
}

module.exports = { vpc, taskSubnets, list };
