import type { QueueStage, StageHandler } from '../../shared/runtime/consumeMessage';

/** Queue stages in pipeline order: draining one stage drains the ones after it too. */
export const QUEUE_STAGES: readonly QueueStage[] = ['transform', 'load'];

/**
 * The handler of each queue stage, imported on demand so commands that only read queues
 * (`dif dlq list`) do not load the transformer and loader.
 */
export const stageHandlers: Record<QueueStage, () => Promise<StageHandler>> = {
  transform: async () => (await import('../../services/transformer/handlers/transform')).transform,
  load: async () => (await import('../../services/loader/handlers/load')).load,
};

/** The stage and the stages after it, in order. */
export function stagesFrom(stage: QueueStage): QueueStage[] {
  return QUEUE_STAGES.slice(QUEUE_STAGES.indexOf(stage));
}

/** Narrows a `--stage` argument; undefined when it names no queue stage. */
export function asQueueStage(value: string): QueueStage | undefined {
  return (QUEUE_STAGES as readonly string[]).includes(value) ? (value as QueueStage) : undefined;
}
