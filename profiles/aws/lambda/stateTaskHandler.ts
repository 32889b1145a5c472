import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger } from '../../../shared/log';
import { stepFunctionsError } from '../../../shared/runtime/stepFunctionsError';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { lambdaServiceContext } from './lambdaContext';
import { metrics } from './telemetry';
import { itemIdsOf, recordStageMetrics } from './stageMetrics';
import type { LambdaContext } from './types';

export { stepFunctionsError };

/** The Step Functions state a Task function serves; prefixes the error names the ASL matches. */
export type StateName = 'Plan' | 'StartJob' | 'PollJob' | 'Extract' | 'RecordFailure' | 'Finalize';

/** Fields the log lines of a task carry, read from whatever shape the state passes in. */
function correlationKeys(event: unknown): { runId?: string; itemId?: string } {
  if (!event || typeof event !== 'object') return {};
  const input = event as { runId?: unknown; item?: { runId?: unknown; itemId?: unknown } };
  const runId =
    typeof input.item?.runId === 'string'
      ? input.item.runId
      : typeof input.runId === 'string'
        ? input.runId
        : undefined;
  const itemId = typeof input.item?.itemId === 'string' ? input.item.itemId : undefined;
  return { runId, itemId };
}

/**
 * Wraps a plain handler `(ctx, input) => output` as a Lambda invoked by a Step Functions Task:
 * Powertools logger (with runId/itemId) and metrics, the cached aws ServiceContext, and error
 * names the ASL can match. The handler carries its `state`, so a test can tell which names an
 * ASL Task bound to this function can receive.
 *
 * @example
 * export const handler = stateTaskHandler('Plan', plan);
 */
export function stateTaskHandler<I, O>(state: StateName, run: (ctx: ServiceContext, input: I) => Promise<O>) {
  const handler = middy(async (event: I, _context: LambdaContext): Promise<O> => {
    logger.appendKeys({ state, ...correlationKeys(event) });
    const ctx = await lambdaServiceContext();
    const started = Date.now();
    try {
      const output = await run(ctx, event);
      metrics.addMetric(`${state}Succeeded`, MetricUnit.Count, 1);
      await recordStageMetrics(ctx, state, itemIdsOf(event), Date.now() - started);
      return output;
    } catch (error) {
      metrics.addMetric(`${state}Failed`, MetricUnit.Count, 1);
      logger.error(`${state} failed`, error as Error);
      throw stepFunctionsError(state, error);
    }
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
  return Object.assign(handler, { state });
}
