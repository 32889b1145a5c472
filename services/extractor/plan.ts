import type { WorkItem } from '../../shared/messages/workItem';
import { itemIdOf, MESSAGE_VERSION } from '../../shared/messages/workItem';
import { PermanentError } from '../../shared/runtime/errors';
import type { ServiceContext } from '../../shared/runtime/ServiceContext';
import { planPartitions } from './partition/planPartitions';
import { difEnvironment } from './scope';

export interface PlanFilter {
  runId: string;
  client?: string;
  source?: string;
  stream?: string;
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

/**
 * Turns the configuration into work items: client × source × stream × partition, for every
 * enabled source of every client (or the ones the filter names).
 * `loadedStreams` lists `client/source/stream` already loaded once (for date-range lookback).
 *
 * @example
 * planRun(ctx, { runId: 'r1', client: 'acme' }).map((item) => item.label);
 * // ['acme/demo_ads/accounts/all', 'acme/demo_ads/campaigns/all', …]
 */
export function planRun(
  ctx: ServiceContext,
  filter: PlanFilter,
  loadedStreams: ReadonlySet<string> = new Set(),
): WorkItem[] {
  const { config } = ctx;
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
  const items: WorkItem[] = [];
  for (const [clientName, client] of [...config.clients].sort(([a], [b]) => a.localeCompare(b))) {
    if (filter.client && clientName !== filter.client) continue;
    for (const [sourceName, clientSource] of Object.entries(client.sources)) {
      if (filter.source && sourceName !== filter.source) continue;
      if (!clientSource.enabled && !filter.source) continue;
      const source = config.sources.get(sourceName)!;
      for (const streamName of clientSource.streams ?? Object.keys(source.streams)) {
        if (filter.stream && streamName !== filter.stream) continue;
        const stream = source.streams[streamName]!;
        const scope = {
          client: { name: clientName, ...clientSource.params },
          env: difEnvironment(),
          run: { id: filter.runId },
        };
        const where = `sources/${sourceName}.yml streams.${streamName}.partition (client ${clientName})`;
        const loadedBefore = loadedStreams.has(`${clientName}/${sourceName}/${streamName}`);
        for (const { partition, values } of planPartitions(stream, scope, ctx.now(), where, { loadedBefore })) {
          items.push({
            v: MESSAGE_VERSION,
            runId: filter.runId,
            itemId: itemIdOf(clientName, sourceName, streamName, partition),
            client: clientName,
            source: sourceName,
            stream: streamName,
            partition,
            partitionValues: values,
            label: `${clientName}/${sourceName}/${streamName}/${partition}`,
            runtime: stream.runtime,
            extraction: stream.async_job ? 'async' : 'sync',
          });
        }
      }
    }
  }
  // An unfiltered run of an empty config is fine; a filter that selects nothing is a mistake.
  if (items.length === 0 && (filter.client || filter.source || filter.stream)) throw new EmptyPlanError(filter, config);
  return items;
}
