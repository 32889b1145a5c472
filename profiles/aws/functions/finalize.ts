import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { finalize } from '../../../services/runs/handlers/finalize';

/** Lambda entry of the ingest state machine's Finalize Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('Finalize', finalize);
