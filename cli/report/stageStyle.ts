import type { ItemStage } from '../../shared/ports';
import { ITEM_STAGES, isTerminal, STAGE_ORDER } from '../../shared/runState/itemStages';

/** What an item was doing while it sat in a stage, and the colour the report draws it in. */
export interface StageStyle {
  /** Shown in the legend and tooltips. */
  meaning: string;
  colour: string;
}

/** The colour the timeline draws each stage in; what a stage means comes from the stage table. */
const STAGE_COLOURS: Record<ItemStage, string> = {
  planned: '#cbd5e1',
  extracting: '#2563eb',
  extracted: '#93c5fd',
  transforming: '#7c3aed',
  transformed: '#c4b5fd',
  loading: '#0d9488',
  loaded: '#16a34a',
  failed: '#dc2626',
  superseded: '#a3a3a3',
};

/** Stages in pipeline order, each with how the timeline shows the time spent in it. */
export const STAGE_STYLES = Object.fromEntries(
  STAGE_ORDER.map((stage) => [stage, { meaning: ITEM_STAGES[stage].meaning, colour: STAGE_COLOURS[stage] }]),
) as Record<ItemStage, StageStyle>;

export { STAGE_ORDER, isTerminal };
