import '../../../shared/runtime/polyfills';
import { queueStageHandler } from '../lambda';
import { load } from '../../../services/loader/handlers/load';

/** Lambda entry of the load queue (SQS event source, partial batch responses). */
export const handler = queueStageHandler('load', load);
