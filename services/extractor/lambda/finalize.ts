import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { finalize } from '../handlers/finalize';

/** Lambda entry of the ingest state machine's Finalize Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('Finalize', finalize);
