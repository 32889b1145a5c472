import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { pollJob } from '../handlers/pollJob';

/** Lambda entry of the ingest state machine's PollJob Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('PollJob', pollJob);
