import { sourceFileOf, type DifConfig } from '../../shared/config';
import type { StreamDefinition } from '../../shared/config/schema';
import type { TemplateScope } from '../../shared/config/template';
import type { WorkItem } from '../../shared/messages/workItem';
import type { PartitionHistory } from '../../shared/ports/RunStateStore';
import { itemIdOf, MESSAGE_VERSION } from '../../shared/messages/workItem';
import { PermanentError } from '../../shared/runtime/errors';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { earliestKnownDate, partitionsToPlan } from './partition/partitionCoverage';
import { planPartitions } from './partition/planPartitions';
import { difEnvironment } from '../../shared/config/scopeValues';

export interface PlanFilter {
  runId: string;
  client?: string;
  source?: string;
  stream?: string;
  /** Plan exactly the date slices overlapping from..to (YYYY-MM-DD), for re-pulling restated history. */
  backfill?: { from: string; to: string };
}

/** A run filter names a client, source or stream the configuration does not have. */
export class UnknownPlanTargetError extends PermanentError {
  constructor(kind: string, name: string, known: string[]) {
    super(
      'Plan.UnknownTarget',
      `no ${kind} named "${name}" (known: ${known.join(', ') || 'none'}); check the spelling or add it to the config folder`,
    );
    this.name = 'UnknownPlanTargetError';
  }
}

/** A run filter that names things that exist but do not go together (a client without that source). */
export class EmptyPlanError extends PermanentError {
  constructor(filter: PlanFilter, config: ServiceContext['config']) {
    const client = filter.client ? config.clients.get(filter.client) : undefined;
    const hint =
      client && filter.source && !(filter.source in client.sources)
        ? `client "${filter.client}" does not use source "${filter.source}" (its sources: ${Object.keys(client.sources).join(', ')})`
        : 'no enabled client × source × stream matches it, or its partitions are empty (check clients/*.yml `streams` and `enabled`, and date ranges that start in the future)';
    super(
      'Plan.NothingToDo',
      `the run filter ${JSON.stringify({ client: filter.client, source: filter.source, stream: filter.stream })} selects no work: ${hint}`,
    );
    this.name = 'EmptyPlanError';
  }
}

/** One client × source × stream a run covers, with what its partitions are computed from. */
export interface PlanTarget {
  client: string;
  source: string;
  stream: string;
  definition: StreamDefinition;
  scope: TemplateScope;
  /** Where a partition problem is, for error messages. */
  where: string;
}

/** `client/source/stream`: the key of {@link PlanHistories}. */
export function streamKeyOf(target: { client: string; source: string; stream: string }): string {
  return `${target.client}/${target.source}/${target.stream}`;
}

/** Partition history per stream (`client/source/stream`), as run state reports it. */
export type PlanHistories = ReadonlyMap<string, readonly PartitionHistory[]>;

/** Discovered partition values per stream (`client/source/stream`) with `partition.from_stream`. */
export type PlanDiscoveries = ReadonlyMap<string, readonly Record<string, string>[]>;

/** Only date ranges need history: a lookback window, or a range that starts `today`/`yesterday`. */
export function needsHistory(target: PlanTarget): boolean {
  return target.definition.partition?.date_range !== undefined;
}

/** A backfill names a stream whose partitions are not dates, or a window that ends before it starts. */
export class BackfillError extends PermanentError {
  constructor(detail: string) {
    super('Plan.BadBackfill', detail);
    this.name = 'BackfillError';
  }
}

/**
 * The client × source × stream combinations a run filter selects (enabled sources only, unless
 * the filter names the source). Throws {@link UnknownPlanTargetError} for a name the config lacks.
 *
 * @example
 * planTargets(ctx.config, { runId: 'r1', client: 'acme' }).map(streamKeyOf); // ['acme/demo_ads/accounts', …]
 */
export function planTargets(config: DifConfig, filter: PlanFilter): PlanTarget[] {
  if (filter.client && !config.clients.has(filter.client))
    throw new UnknownPlanTargetError('client', filter.client, [...config.clients.keys()]);
  if (filter.source && !config.sources.has(filter.source))
    throw new UnknownPlanTargetError('source', filter.source, [...config.sources.keys()]);
  if (filter.stream) {
    const streams = filter.source
      ? Object.keys(config.sources.get(filter.source)!.streams)
      : [...config.sources.values()].flatMap((source) => Object.keys(source.streams));
    if (!streams.includes(filter.stream))
      throw new UnknownPlanTargetError('stream', filter.stream, [...new Set(streams)]);
  }
  const targets: PlanTarget[] = [];
  for (const [clientName, client] of [...config.clients].sort(([a], [b]) => a.localeCompare(b))) {
    if (filter.client && clientName !== filter.client) continue;
    for (const [sourceName, clientSource] of Object.entries(client.sources)) {
      if (filter.source && sourceName !== filter.source) continue;
      if (!clientSource.enabled && !filter.source) continue;
      const source = config.sources.get(sourceName)!;
      for (const streamName of clientSource.streams ?? Object.keys(source.streams)) {
        if (filter.stream && streamName !== filter.stream) continue;
        targets.push({
          client: clientName,
          source: sourceName,
          stream: streamName,
          definition: source.streams[streamName]!,
          scope: {
            client: { name: clientName, ...clientSource.params },
            env: difEnvironment(),
            run: { id: filter.runId },
          },
          where: `${sourceFileOf(config, sourceName)} streams.${streamName}.partition (client ${clientName})`,
        });
      }
    }
  }
  return targets;
}

/** The partitions of one target a run plans: a backfill window, or refresh + never loaded. */
function partitionsOf(
  target: PlanTarget,
  now: Date,
  filter: PlanFilter,
  histories: PlanHistories,
  discoveries: PlanDiscoveries,
) {
  const discovered = discoveries.get(streamKeyOf(target));
  const window = discovered ? { discovered } : {};
  if (filter.backfill)
    return planPartitions(target.definition, target.scope, now, target.where, { ...window, backfill: filter.backfill });
  const history = histories.get(streamKeyOf(target)) ?? [];
  const expected = planPartitions(target.definition, target.scope, now, target.where, {
    ...window,
    earliestKnown: earliestKnownDate(history),
  });
  return partitionsToPlan(expected, history);
}

/** A backfill re-pulls date slices: streams without a date range are left out (or refused when named). */
function backfillTargets(targets: PlanTarget[], filter: PlanFilter): PlanTarget[] {
  const { from, to } = filter.backfill!;
  if (!(from <= to)) throw new BackfillError(`backfill window ends before it starts (--from ${from} --to ${to})`);
  const dated = targets.filter((target) => target.definition.partition?.date_range);
  if (dated.length === 0) {
    const names = [...new Set(targets.map((target) => `${target.source}/${target.stream}`))].join(', ') || 'none';
    throw new BackfillError(
      `a backfill re-pulls date slices, but no selected stream has partition.date_range (selected: ${names}); re-pull other streams with \`dif run\``,
    );
  }
  return dated;
}

/**
 * Turns the configuration into work items: client × source × stream × partition, for every
 * enabled source of every client (or the ones the filter names). A stream's partitions are
 * those every run re-reads plus every expected one that never loaded (`histories` says which
 * loaded, see {@link partitionsToPlan}); with `filter.backfill`, exactly the slices of that window.
 * Streams with `partition.from_stream` take their values from `discoveries`.
 *
 * @example
 * planRun(ctx, { runId: 'r1', client: 'acme' }).map((item) => item.label);
 * // ['acme/demo_ads/accounts/all', 'acme/demo_ads/campaigns/all', …]
 */
export function planRun(
  ctx: ServiceContext,
  filter: PlanFilter,
  histories: PlanHistories = new Map(),
  discoveries: PlanDiscoveries = new Map(),
): WorkItem[] {
  const { config } = ctx;
  let targets = planTargets(config, filter);
  if (filter.backfill) targets = backfillTargets(targets, filter);
  const items: WorkItem[] = [];
  for (const target of targets) {
    const { client, source, stream } = target;
    for (const { partition, values } of partitionsOf(target, ctx.now(), filter, histories, discoveries)) {
      items.push({
        v: MESSAGE_VERSION,
        runId: filter.runId,
        itemId: itemIdOf(client, source, stream, partition),
        client,
        source,
        stream,
        partition,
        partitionValues: values,
        label: `${client}/${source}/${stream}/${partition}`,
        runtime: target.definition.runtime,
        extraction: target.definition.async_job ? 'async' : 'sync',
      });
    }
  }
  // An unfiltered run of an empty config is fine; a filter that selects nothing is a mistake.
  if (items.length === 0 && (filter.client || filter.source || filter.stream)) throw new EmptyPlanError(filter, config);
  return items;
}
