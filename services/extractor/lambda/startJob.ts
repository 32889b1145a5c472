import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { startJob } from '../handlers/startJob';

/** Lambda entry of the ingest state machine's StartJob Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('StartJob', startJob);
