// The Lambda functions and the ECS task entry, shared by bin/build.mjs (what to bundle) and the
// template test (what serverless.yml must declare). One line per deployable entry point.
export const lambdaEntries = [
  { name: 'plan', entry: 'services/extractor/lambda/plan.ts' },
  { name: 'startJob', entry: 'services/extractor/lambda/startJob.ts' },
  { name: 'pollJob', entry: 'services/extractor/lambda/pollJob.ts' },
  { name: 'extract', entry: 'services/extractor/lambda/extract.ts' },
  { name: 'recordFailure', entry: 'services/extractor/lambda/recordFailure.ts' },
  { name: 'finalize', entry: 'services/extractor/lambda/finalize.ts' },
  { name: 'transform', entry: 'services/transformer/lambda/transform.ts' },
  { name: 'load', entry: 'services/loader/lambda/load.ts' },
];

/**
 * The extractor as a container command, for sources that run longer than Lambda's 15 minutes.
 * `bundleAwsSdk`: a container has no runtime-provided AWS SDK, so the bundle carries it and the
 * image (Dockerfile) needs nothing but Node.
 */
export const taskEntries = [
  { name: 'extractTask', entry: 'services/extractor/lambda/extractTask.ts', bundleAwsSdk: true },
];

/** Configuration folders copied next to every bundle: handlers read them at cold start. */
export const configFolders = ['sources', 'catalog', 'clients'];
