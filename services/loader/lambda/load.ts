import '../../../shared/runtime/polyfills';
import { queueStageHandler } from '../../../shared/adapters/aws/lambda';
import { load } from '../handlers/load';

/** Lambda entry of the load queue (SQS event source, partial batch responses). */
export const handler = queueStageHandler('load', load);
