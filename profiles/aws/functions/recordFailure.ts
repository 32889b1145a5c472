import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../lambda';
import { recordFailure } from '../../../services/runs/handlers/recordFailure';

/** Lambda entry of the per-item flow's `Item failed` Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('RecordFailure', recordFailure);
