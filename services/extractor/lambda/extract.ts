import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { extract } from '../handlers/extract';

/** Lambda entry of the ingest state machine's Extract Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('Extract', extract);
