import '../../../shared/runtime/polyfills';
import { queueStageHandler } from '../lambda';
import { transform } from '../../../services/transformer/handlers/transform';

/** Lambda entry of the transform queue (SQS event source, partial batch responses). */
export const handler = queueStageHandler('transform', transform);
