import type { DifConfig } from '../../shared/config';
import type { ItemRecord } from '../../shared/ports';
import { parseShortDuration } from '../../shared/config/shortDuration';

/**
 * - `ok`: loaded within the client's `sla.fresh_within` (or loaded at all when it has no SLA);
 * - `late`: the newest load is older than `fresh_within`;
 * - `never`: no successful load on record.
 */
export type FreshnessState = 'ok' | 'late' | 'never';

/** One line of `dif status`: a configured client × source × stream. */
export interface StreamFreshness {
  client: string;
  source: string;
  stream: string;
  state: FreshnessState;
  /** When the newest successful load of any partition of the stream finished. */
  lastLoadedAt?: string;
  /** The run of that load. */
  lastRunId?: string;
  /** Rows loaded by that run across the stream's partitions. */
  rows: number;
  /** Partitions with a successful load on record. */
  partitions: number;
  /** now − lastLoadedAt. */
  ageMs?: number;
  /** The client's `sla.fresh_within` as written (e.g. `12h`); undefined without an SLA. */
  freshWithin?: string;
}

/**
 * Freshness of every enabled client × source × stream of the configuration, from the latest
 * successful loads in run state (`RunStateStore.listLatestLoads`). Pure: the clock is an argument.
 * Loads of streams no longer configured are ignored.
 *
 * @example
 * assessFreshness(config, await runState.listLatestLoads(), new Date());
 * // [{ client: 'acme', source: 'demo_ads', stream: 'campaigns', state: 'late', ageMs: 50_400_000, freshWithin: '12h', … }]
 */
export function assessFreshness(config: DifConfig, latestLoads: ItemRecord[], now: Date): StreamFreshness[] {
  const loadsByStream = groupLoads(latestLoads);
  const rows: StreamFreshness[] = [];
  for (const client of [...config.clients.values()].sort((a, b) => a.client.localeCompare(b.client))) {
    const freshWithin = client.sla?.fresh_within;
    for (const [sourceName, clientSource] of Object.entries(client.sources).sort(([a], [b]) => a.localeCompare(b))) {
      const source = config.sources.get(sourceName);
      if (!source || clientSource.enabled === false) continue;
      for (const stream of clientSource.streams ?? Object.keys(source.streams)) {
        const loads = loadsByStream.get(streamKey(client.client, sourceName, stream)) ?? [];
        rows.push(assessStream(client.client, sourceName, stream, loads, freshWithin, now));
      }
    }
  }
  return rows;
}

function assessStream(
  client: string,
  source: string,
  stream: string,
  loads: ItemRecord[],
  freshWithin: string | undefined,
  now: Date,
): StreamFreshness {
  const base = { client, source, stream, ...(freshWithin ? { freshWithin } : {}) };
  if (loads.length === 0) return { ...base, state: 'never', rows: 0, partitions: 0 };
  const newest = loads.reduce((best, item) => (loadedAt(item) > loadedAt(best) ? item : best));
  const lastLoadedAt = loadedAt(newest);
  const ageMs = now.getTime() - Date.parse(lastLoadedAt);
  const late = freshWithin !== undefined && ageMs > parseShortDuration(freshWithin);
  const rows = loads
    .filter((item) => item.runId === newest.runId)
    .reduce((sum, item) => sum + (item.rowsLoaded ?? 0), 0);
  return {
    ...base,
    state: late ? 'late' : 'ok',
    lastLoadedAt,
    lastRunId: newest.runId,
    rows,
    partitions: loads.length,
    ageMs,
  };
}

function groupLoads(loads: ItemRecord[]): Map<string, ItemRecord[]> {
  const groups = new Map<string, ItemRecord[]>();
  for (const item of loads) {
    const key = streamKey(item.client, item.source, item.stream);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return groups;
}

function streamKey(client: string, source: string, stream: string): string {
  return `${client}\u0000${source}\u0000${stream}`;
}

/** ISO timestamps compare correctly as strings. */
function loadedAt(item: ItemRecord): string {
  return item.stageTimes.loaded ?? item.updatedAt;
}
