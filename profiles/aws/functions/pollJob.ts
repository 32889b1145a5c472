import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { pollJob } from '../../../services/extractor/handlers/pollJob';

/** Lambda entry of the ingest state machine's PollJob Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('PollJob', pollJob);
