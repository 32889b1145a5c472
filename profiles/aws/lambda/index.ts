export { stateTaskHandler, stepFunctionsError, type StateName } from './stateTaskHandler';
export { queueStageHandler, deliveryOf, type QueueStageOptions } from './queueStageHandler';
export { lambdaServiceContext, setLambdaServiceContext } from './lambdaContext';
export { metrics, METRICS_NAMESPACE } from './telemetry';
export type * from './types';
