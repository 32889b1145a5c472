// The Lambda functions and the ECS task entry, shared by bin/build.mjs (what to bundle) and the
// template test (what serverless.yml must declare). One line per deployable entry point.
export const lambdaEntries = [
  { name: 'plan', entry: 'profiles/aws/functions/plan.ts' },
  { name: 'startJob', entry: 'profiles/aws/functions/startJob.ts' },
  { name: 'pollJob', entry: 'profiles/aws/functions/pollJob.ts' },
  { name: 'extract', entry: 'profiles/aws/functions/extract.ts' },
  { name: 'recordFailure', entry: 'profiles/aws/functions/recordFailure.ts' },
  { name: 'finalize', entry: 'profiles/aws/functions/finalize.ts' },
  { name: 'transform', entry: 'profiles/aws/functions/transform.ts' },
  { name: 'load', entry: 'profiles/aws/functions/load.ts' },
];

/**
 * The extractor as a container command, for sources that run longer than Lambda's 15 minutes.
 * `bundleAwsSdk`: a container has no runtime-provided AWS SDK, so the bundle carries it and the
 * image (Dockerfile) needs nothing but Node.
 */
export const taskEntries = [
  { name: 'extractTask', entry: 'profiles/aws/functions/extractTask.ts', bundleAwsSdk: true },
];

/** Configuration folders copied next to every bundle: handlers read them at cold start. */
export const configFolders = ['sources', 'catalog', 'clients'];
