import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { startJob } from '../../../services/extractor/handlers/startJob';

/** Lambda entry of the ingest state machine's StartJob Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('StartJob', startJob);
