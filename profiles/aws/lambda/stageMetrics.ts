import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as MetricUnitName } from '@aws-lambda-powertools/metrics/types';
import { logger } from '../../../shared/log';
import type { ItemRecord } from '../../../shared/ports';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import { metrics } from './telemetry';

/** What each stage contributes to the per-stage dashboards: figures read from the item's run state. */
const FIGURES: Record<string, [metric: string, field: keyof ItemRecord, unit: MetricUnitName][]> = {
  Extract: [
    ['Pages', 'pages', MetricUnit.Count],
    ['RawBytes', 'rawBytes', MetricUnit.Bytes],
  ],
  transform: [
    ['RecordsIn', 'recordsIn', MetricUnit.Count],
    ['RecordsOut', 'recordsOut', MetricUnit.Count],
    ['RecordsRejected', 'recordsRejected', MetricUnit.Count],
  ],
  load: [['RowsLoaded', 'rowsLoaded', MetricUnit.Count]],
};

/**
 * Emits a stage's latency and its item figures (records, bytes, rejects, rows) as Powertools
 * metrics. The figures come from run state, which the stage has just written, so the handlers
 * stay free of telemetry code; it costs one run-state read per item and stage.
 */
export async function recordStageMetrics(
  ctx: ServiceContext,
  stage: string,
  ids: { runId?: string; itemId?: string },
  durationMs: number,
): Promise<void> {
  metrics.addMetric(`${stage}DurationMs`, MetricUnit.Milliseconds, durationMs);
  const figures = FIGURES[stage];
  if (!figures || !ids.runId || !ids.itemId) return;
  try {
    const item = await ctx.ports.runState.getItem(ids.runId, ids.itemId);
    for (const [metric, field, unit] of figures) {
      const value = item?.[field];
      if (typeof value === 'number') metrics.addMetric(metric, unit, value);
    }
  } catch (error) {
    logger.warn('could not read run state for stage metrics', { stage, error: String(error) });
  }
}

/** The run and item a pipeline message or state input is about. */
export function itemIdsOf(value: unknown): { runId?: string; itemId?: string } {
  if (!value || typeof value !== 'object') return {};
  const record = value as { runId?: unknown; itemId?: unknown; item?: { runId?: unknown; itemId?: unknown } };
  const source = record.item && typeof record.item === 'object' ? record.item : record;
  return {
    runId: typeof source.runId === 'string' ? source.runId : undefined,
    itemId: typeof source.itemId === 'string' ? source.itemId : undefined,
  };
}
