import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Resource of the Task that stands in for a Distributed Map state locally (never deployed). */
export const LOCAL_MAP_RUN_RESOURCE = 'arn:aws:states:::local:mapRun';
/**
 * A Map state has no timeout; the Task standing in for it gets the longest one a Node timer
 * holds (~24.8 days; Step Functions' own execution limit is a year).
 */
const MAP_RUN_TIMEOUT_SECONDS = 2_147_483;

type Json = Record<string, unknown>;

/** What the local runtime needs of one Distributed Map state to run it as a Map Run. */
export interface DistributedMapSpec {
  name: string;
  /** The per-item flow: run once per item as a child execution of the same library. */
  itemProcessor: StateMachineDefinition;
  itemSelector?: unknown;
  readerConfig: { InputType?: string; MaxItems?: number };
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
  hasResultWriter: boolean;
  label?: string;
}

/** The parameters the stand-in Task hands the Map Run, evaluated by the library (`Key.$`, `Prefix.$`…). */
export interface MapRunParameters {
  input: unknown;
  reader: { Bucket?: string; Key?: string };
  writer?: { Bucket?: string; Prefix?: string };
  maxConcurrency?: number;
}

/** A Distributed Map feature the local runtime does not emulate; says which and where. */
export class UnsupportedMapFeatureError extends Error {
  constructor(state: string, detail: string) {
    super(`Distributed Map "${state}" in statemachines/ingest.asl.yml: ${detail}`);
    this.name = 'UnsupportedMapFeatureError';
  }
}

const DISTRIBUTED_ONLY_FIELDS = ['ItemBatcher', 'ToleratedFailurePercentagePath', 'ToleratedFailureCountPath'];

/**
 * aws-local-stepfunctions 3.0 runs every Map inline: it reads no ItemReader, writes no
 * ResultWriter and starts no child executions. This swaps each top-level Distributed Map state
 * for a Task (resource {@link LOCAL_MAP_RUN_RESOURCE}) that keeps the Map's own input/output
 * processing (InputPath, ResultSelector, ResultPath, OutputPath, Retry, Catch, Next/End) and whose
 * Parameters let the library evaluate the ItemReader/ResultWriter parameters and
 * MaxConcurrency(Path); the local runtime binds that Task to a {@link MapRun}. The definition on
 * disk is untouched.
 *
 * @example
 * const { definition, maps } = standInForDistributedMaps(readIngestDefinition());
 * maps.get('Ingest each item')?.itemProcessor.StartAt; // 'Async report?'
 */
export function standInForDistributedMaps(source: StateMachineDefinition): {
  definition: StateMachineDefinition;
  maps: Map<string, DistributedMapSpec>;
} {
  const maps = new Map<string, DistributedMapSpec>();
  const states: Json = {};
  for (const [name, state] of Object.entries(source.States as unknown as Record<string, Json>)) {
    const processor = state.ItemProcessor as (Json & { ProcessorConfig?: { Mode?: string } }) | undefined;
    if (state.Type !== 'Map' || processor?.ProcessorConfig?.Mode !== 'DISTRIBUTED') {
      states[name] = state;
      continue;
    }
    maps.set(name, specOf(name, state, processor));
    states[name] = standInTask(state);
  }
  return { definition: { ...source, States: states } as StateMachineDefinition, maps };
}

function specOf(name: string, state: Json, processor: Json): DistributedMapSpec {
  for (const field of DISTRIBUTED_ONLY_FIELDS)
    if (field in state) throw new UnsupportedMapFeatureError(name, `the local runtime does not emulate ${field}`);
  const reader = state.ItemReader as
    { Resource?: string; ReaderConfig?: DistributedMapSpec['readerConfig'] } | undefined;
  if (!reader || reader.Resource !== 'arn:aws:states:::s3:getObject')
    throw new UnsupportedMapFeatureError(
      name,
      'the local runtime reads items only with an ItemReader on arn:aws:states:::s3:getObject (a JSON Lines object)',
    );
  const { ProcessorConfig: _config, ...itemProcessor } = processor;
  for (const nested of Object.values(itemProcessor.States as Record<string, Json>))
    if (
      (nested.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode ===
      'DISTRIBUTED'
    )
      throw new UnsupportedMapFeatureError(name, 'the local runtime does not run a Distributed Map inside another');
  return {
    name,
    itemProcessor: itemProcessor as unknown as StateMachineDefinition,
    itemSelector: state.ItemSelector ?? state.Parameters,
    readerConfig: reader.ReaderConfig ?? {},
    toleratedFailurePercentage: state.ToleratedFailurePercentage as number | undefined,
    toleratedFailureCount: state.ToleratedFailureCount as number | undefined,
    hasResultWriter: state.ResultWriter !== undefined,
    label: state.Label as string | undefined,
  };
}

/** The Task that stands in for the Map: same input/output processing and transitions. */
function standInTask(state: Json): Json {
  const parameters: Json = {
    'input.$': '$',
    reader: (state.ItemReader as Json).Parameters ?? {},
  };
  const writer = state.ResultWriter as Json | undefined;
  if (writer) parameters.writer = writer.Parameters ?? {};
  if (typeof state.MaxConcurrencyPath === 'string') parameters['maxConcurrency.$'] = state.MaxConcurrencyPath;
  else if (typeof state.MaxConcurrency === 'number') parameters.maxConcurrency = state.MaxConcurrency;
  const kept = ['Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'];
  return {
    Type: 'Task',
    Resource: LOCAL_MAP_RUN_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: MAP_RUN_TIMEOUT_SECONDS,
    ...Object.fromEntries(kept.filter((field) => field in state).map((field) => [field, state[field]])),
  };
}
