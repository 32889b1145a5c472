// Loads statemachines/ingest.asl.yml — the one definition, also run locally by `dif run` — and
// binds its ${Name} placeholders (DefinitionSubstitutions style) to this stack's resources.
// serverless-step-functions turns the Fn::GetAtt/Ref values into a Fn::Sub and derives the state
// machine's IAM role (lambda:InvokeFunction on exactly these functions) from them.
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- serverless.yml's file() loads CommonJS */
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

const ASL_FILE = join(__dirname, '..', 'statemachines', 'ingest.asl.yml');

/** Every placeholder the ASL may use, and what it becomes in CloudFormation. */
const SUBSTITUTIONS = {
  PlanFunctionArn: { 'Fn::GetAtt': ['PlanLambdaFunction', 'Arn'] },
  StartJobFunctionArn: { 'Fn::GetAtt': ['StartJobLambdaFunction', 'Arn'] },
  PollJobFunctionArn: { 'Fn::GetAtt': ['PollJobLambdaFunction', 'Arn'] },
  ExtractFunctionArn: { 'Fn::GetAtt': ['ExtractLambdaFunction', 'Arn'] },
  RecordFailureFunctionArn: { 'Fn::GetAtt': ['RecordFailureLambdaFunction', 'Arn'] },
  FinalizeFunctionArn: { 'Fn::GetAtt': ['FinalizeLambdaFunction', 'Arn'] },
  // For an ECS Task state (ecs:runTask.waitForTaskToken) routing long extractions to Fargate.
  EcsClusterArn: { 'Fn::GetAtt': ['ExtractCluster', 'Arn'] },
  ExtractTaskDefinitionArn: { Ref: 'ExtractTaskDefinition' },
  LakeBucket: { Ref: 'LakeBucket' },
};

const PLACEHOLDER = /^\$\{([A-Za-z0-9]+)\}$/;

function substitute(node, path) {
  if (typeof node === 'string') {
    const match = PLACEHOLDER.exec(node);
    if (match) {
      const value = SUBSTITUTIONS[match[1]];
      if (!value)
        throw new Error(
          `${ASL_FILE} at ${path}: unknown placeholder ${node}; known: ${Object.keys(SUBSTITUTIONS).join(', ')} (serverless/stateMachine.cjs)`,
        );
      return value;
    }
    if (node.includes('${'))
      throw new Error(`${ASL_FILE} at ${path}: a placeholder must be the whole string value, got "${node}"`);
    return node;
  }
  if (Array.isArray(node)) return node.map((entry, index) => substitute(entry, `${path}[${index}]`));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, substitute(value, `${path}.${key}`)]));
  }
  return node;
}

function definition() {
  return substitute(parse(readFileSync(ASL_FILE, 'utf8')), '$');
}

module.exports = { definition, SUBSTITUTIONS };
