import type { ItemStage } from '../../shared/ports';

/** What an item was doing while it sat in a stage, and the colour the report draws it in. */
export interface StageStyle {
  /** Shown in the legend and tooltips. */
  meaning: string;
  colour: string;
}

/** Stages in pipeline order, each with how the timeline shows the time spent in it. */
export const STAGE_STYLES: Record<ItemStage, StageStyle> = {
  planned: { meaning: 'waiting to extract', colour: '#cbd5e1' },
  extracting: { meaning: 'extracting', colour: '#2563eb' },
  extracted: { meaning: 'queued for transform', colour: '#93c5fd' },
  transforming: { meaning: 'transforming', colour: '#7c3aed' },
  transformed: { meaning: 'queued for load', colour: '#c4b5fd' },
  loading: { meaning: 'loading', colour: '#0d9488' },
  loaded: { meaning: 'loaded', colour: '#16a34a' },
  failed: { meaning: 'failed', colour: '#dc2626' },
  superseded: { meaning: 'skipped: newer data already loaded', colour: '#a3a3a3' },
};

export const STAGE_ORDER = Object.keys(STAGE_STYLES) as ItemStage[];

/** Stages an item does not leave by itself; the timeline marks them instead of drawing a span. */
export function isTerminal(stage: ItemStage): boolean {
  return stage === 'loaded' || stage === 'failed' || stage === 'superseded';
}
