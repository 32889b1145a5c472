import type { DifConfig } from '../../shared/config';
import type { RunStateStore } from '../../shared/ports';
import { planTargets } from '../../services/runs/plan';
import { planPartitions } from '../../services/runs/partition/planPartitions';
import { earliestKnownDate, findGaps, type PartitionGap } from '../../services/runs/partition/partitionCoverage';

/** The gaps of one configured client × source × stream. */
export interface StreamGaps {
  client: string;
  source: string;
  stream: string;
  gaps: PartitionGap[];
}

/**
 * Partitions that should exist, were tried, and never loaded, per enabled client × source × stream
 * of the configuration (one run-state query per stream). Streams without gaps are left out.
 *
 * @example
 * await assessGaps(config, runState, new Date(), { client: 'acme' });
 * // [{ client: 'acme', source: 'graph_ads', stream: 'insights', gaps: [{ partition: 'date=2026-01-03', error: '…' }] }]
 */
export async function assessGaps(
  config: DifConfig,
  runState: RunStateStore,
  now: Date,
  filter: { client?: string } = {},
): Promise<StreamGaps[]> {
  const found: StreamGaps[] = [];
  for (const target of planTargets(config, { runId: 'status', client: filter.client })) {
    const history = await runState.listPartitionHistory(target);
    if (!history.some((entry) => entry.failedAt && !entry.loadedAt)) continue;
    // Discovered partitions: what the last discovery found is expected; an account that has
    // disappeared since is no longer a gap, one that appeared is (once a run failed it).
    let discovered: Record<string, string>[] | undefined;
    if (target.definition.partition?.from_stream) {
      discovered = (await runState.getDiscovery(target))?.values;
      if (!discovered) continue;
    }
    const expected = planPartitions(target.definition, target.scope, now, target.where, {
      earliestKnown: earliestKnownDate(history),
      ...(discovered ? { discovered } : {}),
    });
    const gaps = findGaps(expected, history);
    if (gaps.length > 0) found.push({ client: target.client, source: target.source, stream: target.stream, gaps });
  }
  return found;
}
