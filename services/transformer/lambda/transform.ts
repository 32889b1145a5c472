import '../../../shared/runtime/polyfills';
import { queueStageHandler } from '../../../shared/adapters/aws/lambda';
import { transform } from '../handlers/transform';

/** Lambda entry of the transform queue (SQS event source, partial batch responses). */
export const handler = queueStageHandler('transform', transform);
