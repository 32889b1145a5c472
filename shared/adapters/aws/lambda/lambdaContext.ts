import { createAwsContext } from '../../../runtime/awsContext';
import type { ServiceContext } from '../../../runtime/ServiceContext';

let pending: Promise<ServiceContext> | undefined;

/**
 * The ServiceContext of this Lambda instance, built on first use and reused by every later
 * invocation (configuration parsing and client setup happen once per cold start). A failed build
 * is not cached, so the next invocation tries again.
 */
export function lambdaServiceContext(): Promise<ServiceContext> {
  pending ??= createAwsContext().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** Replaces the context the entry points use (tests). */
export function setLambdaServiceContext(context: ServiceContext | Promise<ServiceContext> | undefined): void {
  pending = context === undefined ? undefined : Promise.resolve(context);
}
