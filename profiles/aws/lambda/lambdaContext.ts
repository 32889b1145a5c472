import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import type { AwsSettings } from '../awsSettings';
import { createAwsContext } from '../createAwsContext';

/** What the entry points run with: the aws context, or a test's context without settings. */
export type LambdaServiceContext = ServiceContext & { settings?: AwsSettings };

let pending: Promise<LambdaServiceContext> | undefined;

/**
 * The ServiceContext of this Lambda instance, built on first use and reused by every later
 * invocation (configuration parsing and client setup happen once per cold start). A failed build
 * is not cached, so the next invocation tries again.
 */
export function lambdaServiceContext(): Promise<LambdaServiceContext> {
  pending ??= createAwsContext().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** Replaces the context the entry points use (tests). */
export function setLambdaServiceContext(
  context: LambdaServiceContext | Promise<LambdaServiceContext> | undefined,
): void {
  pending = context === undefined ? undefined : Promise.resolve(context);
}
