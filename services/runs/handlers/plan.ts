import { randomBytes } from 'node:crypto';
import type { WorkItem } from '../../../shared/messages/workItem';
import type { ServiceContext } from '../../../shared/runtime/ServiceContext';
import type { PartitionHistory } from '../../../shared/ports/RunStateStore';
import { logger } from '../../../shared/log/logger';
import { redact } from '../../../shared/log/secretRedactor';
import { StreamConfigError } from '../../../shared/config/StreamConfigError';
import type { DiscoverPartitions, Discovery, DiscoveryCache } from '../../../shared/runtime/PartitionDiscovery';
import { PartitionDiscoveryError } from '../partition/PartitionDiscoveryError';
import {
  needsHistory,
  planRun,
  planTargets,
  streamKeyOf,
  type PlanDiscoveries,
  type PlanFilter,
  type PlanHistories,
} from '../plan';
import { assertItemFitsState, STATE_PAYLOAD_LIMIT_BYTES } from '../statePayloadBudget';
import { writeWorkItems, type WorkItemFile } from '../workItemFile';
import { DEFAULT_RUN_SETTINGS } from '../../../shared/runtime/RunSettings';
import { itemProgress } from '../../../shared/runState/itemProgress';

export interface PlanInput {
  runId?: string;
  client?: string;
  source?: string;
  stream?: string;
  /** `dif backfill`: plan exactly the date slices overlapping from..to (YYYY-MM-DD). */
  backfill?: { from: string; to: string };
  /** Who started the run (`dif run`, schedule, console), recorded with the run. */
  trigger?: string | Record<string, unknown>;
}

/**
 * Plan's state output: a reference to the work items, never the items themselves, so its size is
 * the same for 1 item or 100,000 (the Distributed Map reads them with its ItemReader).
 */
export interface PlanOutput {
  runId: string;
  items: WorkItemFile;
  itemCount: number;
  /** The Distributed Map's MaxConcurrency (child executions at once): `ctx.runSettings`. */
  maxConcurrency: number;
  /** Subnets for items routed to the Fargate extractor (`runtime: ecs`); empty locally. */
  ecsSubnets: string[];
}

/** A stream discovers its partitions, but whoever called Plan wired no discovery: a wiring fault, not the config's. */
export class DiscoveryNotWiredError extends Error {
  constructor(where: string) {
    super(
      `${where} discovers its partitions (partition.from_stream), but Plan was called without discoverPartitions; a profile passes the extractor's (profiles/aws/functions/plan.ts, profiles/local/LocalRuntime.ts)`,
    );
    this.name = 'DiscoveryNotWiredError';
  }
}

/** Run-state writes Plan keeps in flight: 100,000 items one at a time would take minutes on DynamoDB. */
const ITEM_WRITES_IN_FLIGHT = 32;

/** A sortable, unique run id: `20260126T120000Z-a1b2c3`. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}-${randomBytes(3).toString('hex')}`;
}

/** Partition history of every date-ranged stream the run covers: one indexed query per stream. */
async function historiesFor(ctx: ServiceContext, filter: PlanFilter): Promise<PlanHistories> {
  const histories = new Map<string, PartitionHistory[]>();
  if (filter.backfill) return histories;
  for (const target of planTargets(ctx.config, filter).filter(needsHistory))
    histories.set(streamKeyOf(target), await ctx.ports.runState.listPartitionHistory(target));
  return histories;
}

/**
 * Discovers the partitions of every stream with `partition.from_stream` the run covers (one call
 * per client × discovery stream) and records them in run state, where `dif status` reads what is
 * expected. When the discovery call fails (the API is down, a 5xx storm outlasted the retries),
 * the last recorded discovery is planned instead, with a warning: known accounts keep loading and
 * the next run discovers again. A configuration problem (a missing field, nothing kept) fails Plan.
 */
async function discoveriesFor(
  ctx: ServiceContext,
  filter: PlanFilter,
  discoverPartitions: DiscoverPartitions | undefined,
): Promise<PlanDiscoveries> {
  const discoveries = new Map<string, Record<string, string>[]>();
  const cache: DiscoveryCache = new Map();
  const targets = planTargets(ctx.config, filter).filter((entry) => entry.definition.partition?.from_stream);
  if (targets.length > 0 && !discoverPartitions) throw new DiscoveryNotWiredError(targets[0]!.where);
  for (const target of targets) {
    const key = { client: target.client, source: target.source, stream: target.stream };
    let discovery: Discovery;
    try {
      discovery = await discoverPartitions!(ctx, target, filter.runId, cache);
    } catch (error) {
      const last = error instanceof StreamConfigError ? undefined : await ctx.ports.runState.getDiscovery(key);
      if (!last) throw new PartitionDiscoveryError(target, error);
      logger.warn('partition discovery failed; planning the partitions discovered last time', {
        ...key,
        discoveredAt: last.discoveredAt,
        partitions: last.values.length,
        error: redact(error instanceof Error ? error.message : String(error)),
      });
      discoveries.set(streamKeyOf(target), last.values);
      continue;
    }
    await ctx.ports.runState.putDiscovery({
      ...key,
      ...discovery,
      discoveredAt: ctx.now().toISOString(),
      runId: filter.runId,
    });
    discoveries.set(streamKeyOf(target), discovery.values);
  }
  return discoveries;
}

/**
 * The Plan state: work items for the run, recorded in run state (the run, and every item at
 * stage `planned`) and written to the object store as JSON Lines (`runs/{runId}/items.jsonl`) for
 * the Distributed Map; the state output is only a reference to that file. Discovered partitions
 * (`partition.from_stream`) are requested first, with the `discoverPartitions` the profile wires
 * (the extractor's), and recorded. Every expected partition that never
 * loaded is planned again besides the lookback window, so a failed slice is retried by the next
 * run instead of left as a gap. Re-running Plan with the same runId (a state-machine retry) is
 * harmless.
 *
 * @example
 * const { runId, itemCount, items } = await plan(ctx, { client: 'acme', trigger: 'dif run' }, discoverPartitions);
 * const workItems = await listWorkItems(ctx.ports.objectStore, items.key);
 */
export async function plan(
  ctx: ServiceContext,
  input: PlanInput = {},
  discoverPartitions?: DiscoverPartitions,
): Promise<PlanOutput> {
  const runId = input.runId ?? newRunId(ctx.now());
  const filter: PlanFilter = {
    runId,
    client: input.client,
    source: input.source,
    stream: input.stream,
    ...(input.backfill ? { backfill: input.backfill } : {}),
  };
  const items = planRun(
    ctx,
    filter,
    await historiesFor(ctx, filter),
    await discoveriesFor(ctx, filter, discoverPartitions),
  );
  // The stage's Fargate subnets travel with the run so the state machine's ECS Task can use them:
  // Step Functions definitions cannot take a list from a deploy-time substitution.
  const { ecsSubnets, mapConcurrency } = ctx.runSettings ?? DEFAULT_RUN_SETTINGS;
  const subnets = [...ecsSubnets];
  // Before anything is recorded: a run with an item that cannot pass through a state must not be left "running".
  for (const item of items) assertItemFitsState(item, subnets, STATE_PAYLOAD_LIMIT_BYTES);
  if (!(await ctx.ports.runState.getRun(runId))) {
    const trigger = typeof input.trigger === 'string' ? { by: input.trigger } : (input.trigger ?? {});
    const filters = Object.fromEntries(
      Object.entries({
        client: input.client,
        source: input.source,
        stream: input.stream,
        backfill: input.backfill,
      }).filter(([, value]) => value !== undefined),
    );
    await ctx.ports.runState.createRun({
      runId,
      status: 'running',
      startedAt: ctx.now().toISOString(),
      trigger: { ...trigger, ...filters },
    });
  }
  await recordPlanned(ctx, runId, items);
  // Written last: the Map reads only items that run state knows, so Finalize can tally every one.
  const file = await writeWorkItems(ctx.ports.objectStore, runId, items);
  return { runId, items: file, itemCount: items.length, maxConcurrency: mapConcurrency, ecsSubnets: subnets };
}

/** Every item at stage `planned`, a bounded number of writes at a time. */
async function recordPlanned(ctx: ServiceContext, runId: string, items: readonly WorkItem[]): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await itemProgress(ctx.ports.runState, item).planned();
    }
  };
  await Promise.all(Array.from({ length: Math.min(ITEM_WRITES_IN_FLIGHT, items.length) }, writer));
}
