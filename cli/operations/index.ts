// assessGaps is imported where used (dif status): it needs the extractor's planning, which `dif --help` must not load.
export type { StreamGaps } from './assessGaps';
export { assessFreshness, type FreshnessState, type StreamFreshness } from './assessFreshness';
export { summarizeRun, type RunSummary } from './summarizeRun';
export { describeDeadLetter, type DeadLetterView } from './describeDeadLetter';
export { drainQueues, type DrainOptions, type DrainResult, type DrainStage } from './drainQueues';
export { QUEUE_STAGES, asQueueStage, stageHandlers, stagesFrom } from './stageHandlers';
export { localOperatorPorts } from './localOperatorPorts';
export { awsOperatorPorts } from './awsOperatorPorts';
export { PROFILES, operatorPortsFor, profileOperatorPorts } from './operatorPortsFor';
export type { Closable, OperatorCommandOptions, OperatorLocation, OperatorPorts } from './OperatorPorts';
export { commandOutput, toJson } from './commandOutput';
export { formatDuration } from './formatDuration';
export { itemLabel } from '../../shared/runState';
export { splitError, type SplitError } from './splitError';
