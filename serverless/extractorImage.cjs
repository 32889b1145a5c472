// The Fargate extractor's image: the `extractorImage` parameter (an image pushed with a unique tag,
// docs/deploying.md), else this stack's ECR repository at :latest. Resolved at package time, so the
// template carries no condition that is constant anyway (cfn-lint W8003).
// serverless/resources.yml: Image: ${file(serverless/extractorImage.cjs):image}
/* global module */
'use strict';

async function image({ resolveVariable }) {
  const chosen = String((await resolveVariable('param:extractorImage')) ?? '').trim();
  if (chosen) return chosen;
  return { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${ExtractorRepository}:latest' };
}

module.exports = { image };
