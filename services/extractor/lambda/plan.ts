import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { plan, type PlanInput } from '../handlers/plan';
import { STATE_PAYLOAD_LIMIT_BYTES } from '../statePayloadBudget';

/**
 * Lambda entry of the ingest state machine's Plan Task (statemachines/ingest.asl.yml). Deployed,
 * the Map carries the items through Step Functions state, so Plan refuses a run that would not fit.
 */
export const handler = stateTaskHandler('Plan', (ctx, input: PlanInput) =>
  plan(ctx, input, { statePayloadLimitBytes: STATE_PAYLOAD_LIMIT_BYTES }),
);
