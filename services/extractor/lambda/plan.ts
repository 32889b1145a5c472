import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { plan } from '../handlers/plan';

/** Lambda entry of the ingest state machine's Plan Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('Plan', plan);
