import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { extract } from '../../../services/extractor/handlers/extract';

/** Lambda entry of the ingest state machine's Extract Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('Extract', extract);
