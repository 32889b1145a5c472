export { transform } from './handlers/transform';
export { transformItem, transformWithCounts, type TransformCounts } from './transformItem';
export * from './errors';
export * from './objectKeys';
export * from './decode';
export {
  RecordPipeline,
  columnNameFor,
  type OutputColumn,
  type EvolvedColumn,
  type PipelineSetup,
} from './pipeline/RecordPipeline';
export { compileCaster, truncateUtf8, type Caster, type CastOptions } from './pipeline/compileCaster';
export { textCell, NULL_CELL } from './pipeline/csvCell';
export { decimalText } from './pipeline/decimalText';
export { isJsonText } from './pipeline/isJsonText';
export { dateText, timestampText } from './pipeline/temporalText';
export { Rejection } from './pipeline/Rejection';
export { PartWriter, type PartsSummary, type WrittenPart } from './output/PartWriter';
export { QuarantineWriter, type QuarantineEntry } from './output/QuarantineWriter';
export { copyManifest, type CopyManifest } from './output/copyManifest';
export { readRawManifest } from './rawManifest';
