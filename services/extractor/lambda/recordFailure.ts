import '../../../shared/runtime/polyfills';
import { stateTaskHandler } from '../../../shared/adapters/aws/lambda';
import { recordFailure } from '../handlers/recordFailure';

/** Lambda entry of the per-item flow's `Item failed` Task (statemachines/ingest.asl.yml). */
export const handler = stateTaskHandler('RecordFailure', recordFailure);
